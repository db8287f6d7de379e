package web

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/webhooks"
)

// An EventRecorder stores events once committed (*events.Batcher is one).
type EventRecorder interface {
	Add(ctx context.Context, evs ...events.Event) error
}

// WebhookProviders gives a provider as configured at the time of a
// request, nil when it is not set up (*webhooks.Set is one).
type WebhookProviders interface {
	Provider(ctx context.Context, name string) (webhooks.Provider, error)
}

// WebhookDeps are what the provider webhooks need: where events go and
// each provider set up; a provider left nil answers 404. Providers, when
// set, is asked on each request instead, so that secrets saved in the
// admin apply at once.
type WebhookDeps struct {
	Events                           EventRecorder
	Providers                        WebhookProviders
	SES, Postmark, SendGrid, Mailgun webhooks.Provider
	// Secrets are the secrets the settings page saves; nil hides its
	// webhook section.
	Secrets *webhooks.Secrets
}

// webhookRoutes registers POST /webhooks/{ses,postmark,sendgrid,mailgun}.
func (s *Server) webhookRoutes() {
	for name, p := range map[string]webhooks.Provider{
		"ses": s.WebhookDeps.SES, "postmark": s.WebhookDeps.Postmark,
		"sendgrid": s.WebhookDeps.SendGrid, "mailgun": s.WebhookDeps.Mailgun,
	} {
		s.handle("POST /webhooks/"+name, s.webhook(name, p))
	}
}

var errWebhookOff = bulletin.Errorf(bulletin.ENOTFOUND, "This provider's webhook is not set up: give its secret at /admin/settings or in BULLETIN_WEBHOOK_*.")

// webhook answers one provider's requests: 200 once its events are
// stored (or were already), 401 for a bad signature, 400 for a body not
// in its shape, 413 past MaxBodyBytes.
func (s *Server) webhook(name string, p webhooks.Provider) http.HandlerFunc {
	static := p
	return func(w http.ResponseWriter, r *http.Request) {
		p := static
		if s.WebhookDeps.Providers != nil {
			var err error
			if p, err = s.WebhookDeps.Providers.Provider(r.Context(), name); err != nil {
				writeError(w, r, s.Log, err)
				return
			}
		}
		if isNil(p) || s.WebhookDeps.Events == nil {
			writeError(w, r, s.Log, errWebhookOff)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, r, s.Log, errTooLarge)
				return
			}
			writeError(w, r, s.Log, bulletin.Errorf(bulletin.EBADREQUEST, "The request body could not be read."))
			return
		}
		evs, err := p.Events(r.Context(), r.Header, body)
		if err != nil {
			if bulletin.ErrorCode(err) == bulletin.EUNAUTHORIZED {
				s.Log.Warn("webhook refused", "provider", name, "remote", clientIP(r), "why", bulletin.ErrorMessage(err))
				if c := webhooks.Challenge(err); c != "" {
					w.Header().Set("WWW-Authenticate", c)
				}
			}
			writeError(w, r, s.Log, err)
			return
		}
		if err := s.WebhookDeps.Events.Add(r.Context(), evs...); err != nil {
			writeError(w, r, s.Log, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"events": len(evs)})
	}
}

// isNil reports whether p is nil, also as a typed nil pointer.
func isNil(p webhooks.Provider) bool {
	switch p := p.(type) {
	case nil:
		return true
	case *webhooks.SES:
		return p == nil
	case *webhooks.Postmark:
		return p == nil
	case *webhooks.SendGrid:
		return p == nil
	case *webhooks.Mailgun:
		return p == nil
	}
	return false
}
