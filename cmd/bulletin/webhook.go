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
// bounce. It returns a refusal for each secret that is malformed, as
// dkimConfig does.
func webhookConfig(c *Config, vals map[string]*string) []error {
	c.WebhookSES = strings.TrimSpace(*vals["BULLETIN_WEBHOOK_SES_TOPIC"])
	c.WebhookPostmark = strings.TrimSpace(*vals["BULLETIN_WEBHOOK_POSTMARK_SECRET"])
	c.WebhookSendGrid = strings.TrimSpace(*vals["BULLETIN_WEBHOOK_SENDGRID_SECRET"])
	c.WebhookMailgun = strings.TrimSpace(*vals["BULLETIN_WEBHOOK_MAILGUN_SECRET"])
	return checkWebhookSecrets(*c)
}

// checkWebhookSecrets checks the form of the secrets c gives the providers
// that need one of a form (an SES topic ARN, a SendGrid ECDSA key);
// Postmark's and Mailgun's are any text. It returns an error for each
// secret it refuses, in the order of the settings.
func checkWebhookSecrets(c Config) []error {
	var errs []error
	if c.WebhookSES != "" {
		f := webhooks.NewHTTPFetcher()
		if _, err := webhooks.NewSES(c.WebhookSES, f, f, nil); err != nil {
			errs = append(errs, fmt.Errorf("%s", bulletin.ErrorMessage(err)))
		}
	}
	if c.WebhookPostmark != "" {
		if _, err := webhooks.NewPostmark(c.WebhookPostmark, nil); err != nil {
			errs = append(errs, fmt.Errorf("%s", bulletin.ErrorMessage(err)))
		}
	}
	if c.WebhookSendGrid != "" {
		if _, err := webhooks.NewSendGrid(c.WebhookSendGrid, nil); err != nil {
			errs = append(errs, fmt.Errorf("%s", bulletin.ErrorMessage(err)))
		}
	}
	return errs
}

// wireWebhooks sets up /webhooks/*: each provider with the secret saved
// at /admin/settings, else its environment variable, read on each
// request; their events recorded in batches.
func (m *Main) wireWebhooks(srv *web.Server) error {
	a, c := m.app, m.Config
	if errs := checkWebhookSecrets(c); len(errs) > 0 {
		return errs[0]
	}
	// A short password set before the settings asked for a long one still
	// works, as refusing it would drop the bounces: it is said instead.
	if c.WebhookPostmark != "" && webhooks.WeakPostmarkPassword(c.WebhookPostmark) {
		m.Log.Warn(fmt.Sprintf("BULLETIN_WEBHOOK_POSTMARK_SECRET has a password under %d characters, which can be guessed; "+
			"set a longer one in Postmark's webhook URL and here", webhooks.MinPostmarkPassword))
	}
	f := webhooks.NewHTTPFetcher()
	secrets := webhooks.NewSecrets(a.DB)
	srv.WebhookDeps = web.WebhookDeps{
		Events:  m.eventBatcher(),
		Secrets: secrets,
		Providers: &webhooks.Set{Secrets: secrets, VERP: m.verp(a.Secret), Certs: f, Confirm: f, Tokens: webhooks.NewTokens(a.DB), Log: m.Log,
			Env: map[string]string{"ses": c.WebhookSES, "postmark": c.WebhookPostmark, "sendgrid": c.WebhookSendGrid, "mailgun": c.WebhookMailgun}},
	}
	return nil
}
