package main

import (
	"fmt"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/web"
	"github.com/bulletinhq/bulletin/internal/webhooks"
)

// webhookConfig reads the providers' webhook secrets (SPEC §6) and checks
// their form, so a mistyped key fails at start-up and not at the first
// bounce.
func webhookConfig(c *Config, vals map[string]*string) error {
	c.WebhookSES = strings.TrimSpace(*vals["BULLETIN_WEBHOOK_SES_TOPIC"])
	c.WebhookPostmark = strings.TrimSpace(*vals["BULLETIN_WEBHOOK_POSTMARK_SECRET"])
	c.WebhookSendGrid = strings.TrimSpace(*vals["BULLETIN_WEBHOOK_SENDGRID_SECRET"])
	c.WebhookMailgun = strings.TrimSpace(*vals["BULLETIN_WEBHOOK_MAILGUN_SECRET"])
	_, err := webhookProviders(*c, nil)
	return err
}

// webhookProviders returns the providers c sets up; the others are nil.
func webhookProviders(c Config, v webhooks.Resolver) (web.WebhookDeps, error) {
	var d web.WebhookDeps
	if c.WebhookSES != "" {
		f := webhooks.NewHTTPFetcher()
		p, err := webhooks.NewSES(c.WebhookSES, f, f, v)
		if err != nil {
			return d, fmt.Errorf("%s", bulletin.ErrorMessage(err))
		}
		d.SES = p
	}
	if c.WebhookPostmark != "" {
		p, err := webhooks.NewPostmark(c.WebhookPostmark, v)
		if err != nil {
			return d, fmt.Errorf("%s", bulletin.ErrorMessage(err))
		}
		d.Postmark = p
	}
	if c.WebhookSendGrid != "" {
		p, err := webhooks.NewSendGrid(c.WebhookSendGrid, v)
		if err != nil {
			return d, fmt.Errorf("%s", bulletin.ErrorMessage(err))
		}
		d.SendGrid = p
	}
	if c.WebhookMailgun != "" {
		d.Mailgun = webhooks.NewMailgun(c.WebhookMailgun, v)
	}
	return d, nil
}

// wireWebhooks sets up /webhooks/*: each provider with the secret saved
// at /admin/settings, else its environment variable, read on each
// request; their events recorded in batches.
func (m *Main) wireWebhooks(srv *web.Server) error {
	a, c := m.app, m.Config
	if _, err := webhookProviders(c, nil); err != nil {
		return err
	}
	f := webhooks.NewHTTPFetcher()
	secrets := webhooks.NewSecrets(a.DB)
	srv.WebhookDeps = web.WebhookDeps{
		Events:  m.eventBatcher(),
		Secrets: secrets,
		Providers: &webhooks.Set{Secrets: secrets, VERP: m.verp(a.Secret), Certs: f, Confirm: f, Tokens: webhooks.NewTokens(a.DB),
			Env: map[string]string{"ses": c.WebhookSES, "postmark": c.WebhookPostmark, "sendgrid": c.WebhookSendGrid, "mailgun": c.WebhookMailgun}},
	}
	return nil
}
