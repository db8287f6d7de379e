package web

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/webhooks"
)

const savedMailgunKey = "key-saved-in-the-admin-0123456789"

// newSecretsServer is a logged-in admin on a server whose Mailgun
// webhook has hookMailgun from the environment.
func newSecretsServer(t *testing.T) (*adminClient, *sqlite.DB) {
	t.Helper()
	var db *sqlite.DB
	_, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		s.Settings = settings.NewStore(d, filepath.Join(t.TempDir(), "media"), settingsDefaults)
		secrets := webhooks.NewSecrets(d)
		batcher := events.NewBatcher(events.NewStore(d))
		t.Cleanup(func() { batcher.Close() })
		s.WebhookDeps = WebhookDeps{Events: batcher, Secrets: secrets,
			Providers: &webhooks.Set{Secrets: secrets, Tokens: webhooks.NewTokens(d), Env: map[string]string{"mailgun": hookMailgun}}}
	})
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	return a, db
}

// postMailgun posts a Mailgun "failed" event signed under key.
func (a *adminClient) postMailgun(key, token string) int {
	a.t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "webhooks", "testdata", "mailgun_bounce.json"))
	if err != nil {
		a.t.Fatal(err)
	}
	body := mailgunSign(bytes.ReplaceAll(raw, []byte("{{RETURN_PATH}}"), nil), key, time.Now(), token)
	resp, err := a.c.Post(a.base+"/webhooks/mailgun", "application/json", bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A Mailgun key saved at /admin/settings replaces the environment's at
// once, is never shown back, and cleared gives way to the environment's.
func TestSavedMailgunKeyReplacesTheEnvironments(t *testing.T) {
	a, _ := newSecretsServer(t)
	if got := a.postMailgun(hookMailgun, "tok-1"); got != http.StatusOK {
		t.Fatalf("signed with the environment's key before a save: %d, want 200", got)
	}
	f := goodSettings()
	f.Set("webhook_mailgun", savedMailgunKey)
	if resp, body := a.postSettings(f, nil); resp.StatusCode != http.StatusSeeOther || strings.Contains(body, savedMailgunKey) {
		t.Fatalf("save = %d; page holds the key: %v", resp.StatusCode, strings.Contains(body, savedMailgunKey))
	}
	if got := a.postMailgun(savedMailgunKey, "tok-2"); got != http.StatusOK {
		t.Errorf("signed with the saved key: %d, want 200", got)
	}
	if got := a.postMailgun(hookMailgun, "tok-3"); got != http.StatusUnauthorized {
		t.Errorf("signed with the environment's key after the save: %d, want 401", got)
	}
	_, page := a.get("/admin/settings")
	if strings.Contains(page, savedMailgunKey) || !strings.Contains(page, "/webhooks/mailgun</code>: set here") {
		t.Errorf("settings page shows the key (%v) or not that it is set here:\n%s", strings.Contains(page, savedMailgunKey), page)
	}
	f = goodSettings()
	f.Set("webhook_mailgun_clear", "on")
	a.postSettings(f, nil)
	if got := a.postMailgun(hookMailgun, "tok-4"); got != http.StatusOK {
		t.Errorf("signed with the environment's key after clearing: %d, want 200", got)
	}
}

// Bad secrets are refused with what to fix, nothing is saved, and the
// secrets typed are not echoed back.
func TestWebhookSecretsAreValidated(t *testing.T) {
	cases := []struct {
		field, value, want string
	}{
		{"webhook_sendgrid", "bm90IGEga2V5IGF0IGFsbA==", "Not a valid ECDSA public key in base64 DER"},
		{"webhook_ses", "my-bounces-topic", "Not an SNS topic ARN"},
		{"webhook_postmark_user", "hookuser", "Give both the user"},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			a, db := newSecretsServer(t)
			f := goodSettings()
			f.Set(tc.field, tc.value)
			resp, body := a.postSettings(f, nil)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
				t.Errorf("save = %d, want 422 saying %q", resp.StatusCode, tc.want)
			}
			// A topic ARN and Postmark's user are no secrets: they come
			// back in their boxes, beside the error
			// (TestSettingsRefusedFormKeepsTheSESTopic,
			// TestSettingsRefusedFormKeepsPostmarkUser).
			if tc.field != "webhook_ses" && tc.field != "webhook_postmark_user" && strings.Contains(body, tc.value) {
				t.Errorf("the page echoes %q", tc.value)
			}
			var n int
			db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_secrets`).Scan(&n)
			var name string
			db.Read.QueryRow(`SELECT COALESCE((SELECT name FROM settings WHERE id = 1), '')`).Scan(&name)
			if n != 0 || name != "" {
				t.Errorf("saved %d secrets and the name %q, want nothing", n, name)
			}
		})
	}
}
