package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// serve wires the webhooks of the providers whose secret is set: a
// Postmark bounce over HTTP bounces its reader, a wrong password changes
// nothing, a provider without a secret is not there, and the secret
// never reaches the log.
func TestServeTakesProviderWebhooks(t *testing.T) {
	const secret = "postmark-hook:a long webhook password"
	m, _, stderr := testMain(t, map[string]string{"BULLETIN_WEBHOOK_POSTMARK_SECRET": secret})
	base, stop := startServe(t, m)
	defer stop()
	now := time.Now().UTC()
	if _, err := m.app.DB.Write.Exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
		VALUES ('hard@example.com', 'hard@example.com', 'confirmed', ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("../../internal/webhooks/testdata/postmark_bounce.json")
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, userPass string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
		user, pass, _ := strings.Cut(userPass, ":")
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	status := func() string {
		t.Helper()
		var s string
		if err := m.app.DB.Read.QueryRow(`SELECT status FROM subscribers WHERE email_key = 'hard@example.com'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := post("/webhooks/postmark", "postmark-hook:guess"); got != 401 || status() != "confirmed" {
		t.Errorf("wrong password: %d, reader %s; want 401, confirmed", got, status())
	}
	if got := post("/webhooks/mailgun", secret); got != 404 {
		t.Errorf("mailgun without a secret: %d, want 404", got)
	}
	if got := post("/webhooks/postmark", secret); got != 200 || status() != "bounced" {
		t.Errorf("bounce: %d, reader %s; want 200, bounced", got, status())
	}
	if strings.Contains(stderr.String(), "long webhook password") {
		t.Error("the Postmark secret is in the log")
	}
}

// A webhook secret in the wrong form stops start-up with a line that
// names the setting and its form.
func TestWebhookConfig(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"BULLETIN_WEBHOOK_POSTMARK_SECRET": "just-a-password"}, "BULLETIN_WEBHOOK_POSTMARK_SECRET is user:pass"},
		{map[string]string{"BULLETIN_WEBHOOK_SENDGRID_SECRET": "not base64!"}, "BULLETIN_WEBHOOK_SENDGRID_SECRET is the webhook's verification key"},
		{map[string]string{"BULLETIN_WEBHOOK_SENDGRID_SECRET": "aGVsbG8="}, "ECDSA P-256 public key"},
		{map[string]string{"BULLETIN_WEBHOOK_SES_TOPIC": "bounces"}, `BULLETIN_WEBHOOK_SES_TOPIC "bounces" is not a topic ARN`},
	}
	for _, tc := range cases {
		_, err := parseConfig(tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to contain %q", tc.env, err, tc.want)
		}
	}
	c, err := parseConfig(map[string]string{
		"BULLETIN_WEBHOOK_SES_TOPIC":       "arn:aws:sns:eu-west-1:111122223333:feedback",
		"BULLETIN_WEBHOOK_SENDGRID_SECRET": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5mOCEom7MhTele3tpGtrvdSmjtZsrLVWFdJ3xyDxJSg9A8y+7hWGZHNC41s3YC6svoM8fER+BF8Qwa/HyhHZ2Q==",
		"BULLETIN_WEBHOOK_MAILGUN_SECRET":  "key-0123",
	})
	if err != nil || c.WebhookSES == "" || c.WebhookSendGrid == "" || c.WebhookMailgun == "" {
		t.Errorf("good secrets refused or dropped: %v", err)
	}
}

// --help shows each flag's default from the environment, except where
// that is a secret: a webhook key on screen is a webhook key in the
// terminal's scrollback and in CI logs.
func TestHelpHidesSecrets(t *testing.T) {
	m, stdout, _ := testMain(t, map[string]string{
		"BULLETIN_WEBHOOK_POSTMARK_SECRET": "hook:pm-secret-value",
		"BULLETIN_WEBHOOK_SENDGRID_SECRET": "sg-secret-value",
		"BULLETIN_WEBHOOK_MAILGUN_SECRET":  "mg-secret-value",
		"BULLETIN_SECRET":                  "site-secret-value-0123456789abcdef",
		"BULLETIN_ADMIN_PASSWORD":          "admin-secret-value",
		"BULLETIN_METRICS_TOKEN":           "metrics-secret-value",
		"BULLETIN_SMTP_URL":                "smtp://u:smtp-secret-value@127.0.0.1:25",
		"BULLETIN_REDIS_URL":               "redis://:redis-secret-value@127.0.0.1:6379/0",
		"BULLETIN_FROM":                    "News <news@shown.example>",
	})
	if code := m.Main(context.Background(), []string{"serve", "--help"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	help := stdout.String()
	if strings.Contains(help, "secret-value") {
		t.Errorf("--help shows a secret:\n%s", help)
	}
	if !strings.Contains(help, "news@shown.example") {
		t.Errorf("--help no longer shows the defaults that are no secret:\n%s", help)
	}
}
