package web

import (
	"testing"
)

// TestSettingsFieldMessagesAreSentences: the settings page's messages
// under its fields are sentences, a capital first and a full stop last,
// as the setup form's are (they were the lower-case fragments the JSON
// API gives, "write the colour as #rrggbb in hex").
func TestSettingsFieldMessagesAreSentences(t *testing.T) {
	a, _ := newSecretsServer(t)
	f := goodSettings()
	f.Set("public_url", "news.example")
	f.Set("accent", "blue-ish")
	f.Set("webhook_ses", "my-bounces-topic")
	resp, body := a.postSettings(f, nil)
	checkSentences(t, "settings", resp, body, "public_url-error", "accent-error", "webhook_ses-error")
}
