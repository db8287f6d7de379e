package webhooks

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"sync"
)

// A Set gives each provider as configured now: with the secret saved in
// the admin (Secrets), else its environment variable (Env). A provider
// is rebuilt only when its secret changes, so a request pays a map
// lookup for it.
type Set struct {
	Env     map[string]string // by provider name; "" or absent for none
	Secrets *Secrets          // nil: the environment only
	VERP    Resolver
	// Certs and Confirm reach Amazon for SES's certificates and
	// subscription confirmations.
	Certs, Confirm Fetcher
	// Tokens keeps the signature tokens Mailgun's webhooks used;
	// Mailgun needs it.
	Tokens *Tokens
	// Log is the SES provider's log (SES.Log); slog.Default() when nil.
	Log *slog.Logger

	mu    sync.Mutex
	built map[string]builtProvider
}

type builtProvider struct {
	secret string
	p      Provider
}

// Provider returns provider name as configured now, or nil when it has
// no secret. A stored secret was checked when it was saved and an
// environment one at start-up, so building one does not fail in
// practice; if it does, the provider is off.
func (s *Set) Provider(ctx context.Context, name string) (Provider, error) {
	secret := s.Env[name]
	if s.Secrets != nil {
		saved, err := s.Secrets.All(ctx)
		if err != nil {
			return nil, err
		}
		if v, ok := saved[name]; ok {
			secret = v
		}
	}
	if secret == "" {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.built[name]; ok && subtle.ConstantTimeCompare([]byte(b.secret), []byte(secret)) == 1 {
		return b.p, nil
	}
	p := s.build(name, secret)
	if p == nil {
		return nil, nil
	}
	if s.built == nil {
		s.built = map[string]builtProvider{}
	}
	s.built[name] = builtProvider{secret: secret, p: p}
	return p, nil
}

// build makes provider name with secret, or nil when secret is not one.
func (s *Set) build(name, secret string) Provider {
	switch name {
	case "ses":
		if p, err := NewSES(secret, s.Certs, s.Confirm, s.VERP); err == nil {
			p.Log = s.Log
			return p
		}
	case "postmark":
		if p, err := NewPostmark(secret, s.VERP); err == nil {
			return p
		}
	case "sendgrid":
		if p, err := NewSendGrid(secret, s.VERP); err == nil {
			return p
		}
	case "mailgun":
		if s.Tokens != nil {
			return NewMailgun(secret, s.VERP, s.Tokens)
		}
	}
	return nil
}
