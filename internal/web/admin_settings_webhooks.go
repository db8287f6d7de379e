package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/webhooks"
)

// webhookSecretRow is one provider on the settings page. Its secret is
// never shown: only whether one is in force and where it comes from.
type webhookSecretRow struct {
	Name, Label, Path string
	Saved             bool // saved on this page
	InForce           bool // saved here or in the environment
}

// webhookRows returns the settings page's provider rows, or nil when
// the webhooks are not wired.
func (s *Server) webhookRows(ctx context.Context) ([]webhookSecretRow, error) {
	d := s.WebhookDeps
	if d.Secrets == nil {
		return nil, nil
	}
	saved, err := d.Secrets.All(ctx)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{"ses": "Amazon SES", "postmark": "Postmark", "sendgrid": "SendGrid", "mailgun": "Mailgun"}
	var rows []webhookSecretRow
	for _, name := range webhooks.Names {
		row := webhookSecretRow{Name: name, Label: labels[name], Path: "/webhooks/" + name}
		_, row.Saved = saved[name]
		if d.Providers != nil {
			p, err := d.Providers.Provider(ctx, name)
			if err != nil {
				return nil, err
			}
			row.InForce = !isNil(p)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// webhookSecretsFromForm reads the webhook fields of the settings form:
// an empty field keeps what is in force, a "clear" box goes back to the
// environment variable. The Postmark user and password go together.
func webhookSecretsFromForm(r *http.Request) (webhooks.SecretsUpdate, error) {
	f := r.PostForm
	u := webhooks.SecretsUpdate{Set: map[string]string{}, Clear: map[string]bool{}}
	for _, name := range webhooks.Names {
		u.Clear[name] = f.Get("webhook_"+name+"_clear") == "on"
	}
	for _, name := range []string{"ses", "sendgrid", "mailgun"} {
		u.Set[name] = f.Get("webhook_" + name)
	}
	user, pass := strings.TrimSpace(f.Get("webhook_postmark_user")), f.Get("webhook_postmark_pass")
	switch {
	case user == "" && pass == "":
	case user == "" || pass == "" || strings.Contains(user, ":"):
		return u, bulletin.Invalid(map[string]string{"webhook_postmark": "give both the user (without a colon) and the password of the webhook URL"})
	default:
		u.Set["postmark"] = user + ":" + pass
	}
	return u, u.Validate()
}

// webhookForm is what a refused settings form shows again of its webhook
// fields, so that no error sits under a box emptied of what was typed.
// The SES topic ARN and Postmark's basic-auth user are no secrets (the
// user is half of a pair, worth nothing without the password) and come
// back as typed. The secrets (Postmark's password, SendGrid's and
// Mailgun's keys) are never shown, saved or not, so the page only says
// that one typed was not saved and is to be typed again.
type webhookForm struct {
	SESTopic     string
	PostmarkUser string
	Typed        map[string]bool // by provider: a secret typed, not saved
	Clear        map[string]bool // by provider: its "clear" box ticked
}

// webhookFormOf reads the webhook fields of the settings form r holds.
func webhookFormOf(r *http.Request) webhookForm {
	f := r.PostForm
	h := webhookForm{SESTopic: f.Get("webhook_ses"), PostmarkUser: f.Get("webhook_postmark_user"),
		Typed: map[string]bool{}, Clear: map[string]bool{}}
	for _, name := range webhooks.Names {
		h.Clear[name] = f.Get("webhook_"+name+"_clear") == "on"
	}
	h.Typed["postmark"] = f.Get("webhook_postmark_pass") != ""
	for _, name := range []string{"sendgrid", "mailgun"} {
		h.Typed[name] = strings.TrimSpace(f.Get("webhook_"+name)) != ""
	}
	return h
}
