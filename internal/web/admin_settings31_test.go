package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The settings form's placeholders show what an empty field gives, not
// the value saved: emptying a saved name brings the default back, and
// the page must not suggest it brings the saved one. The Website and
// Reply-To show what they fall back on, not an example address. Under
// BULLETIN_FROM's own default the name and From address have none to
// show: they are required (TestSettingsRefusesEmptyNameAndFrom).
func TestSettingsPlaceholdersShowWhatAnEmptyFieldGives(t *testing.T) {
	_, a := newSettingsServer(t)
	resp, body := a.postSettings(url.Values{"name": {"Harbour Gazette"}, "accent": {"#0a7d45"}, "public_url": {"https://news.harbour.example"},
		"from_address": {"news@harbour.example"}, "credit": {"on"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings = %d:\n%s", resp.StatusCode, body)
	}
	_, page := a.get("/admin/settings")
	for attr, want := range map[string]string{
		`name="accent"`:      `placeholder="#1f5fbf"`,
		`name="public_url"`:  `placeholder="http://localhost:8080"`,
		`name="from_name"`:   `placeholder="Harbour Gazette"`,
		`name="website_url"`: `placeholder="https://news.harbour.example"`,
		`name="reply_to"`:    `placeholder="none: replies go to the From address"`,
	} {
		if input := inputTag(page, attr); !strings.Contains(input, want) {
			t.Errorf("the field %s shows %q, want %s", attr, input, want)
		}
	}
}

// A provider's webhook address is given in full, to paste at the provider.
func TestSettingsGiveWebhookAddressesInFull(t *testing.T) {
	a, _ := newSecretsServer(t)
	_, page := a.get("/admin/settings")
	if !strings.Contains(page, "<code>http://localhost:8080/webhooks/postmark</code>") {
		t.Errorf("the settings page does not give Postmark's webhook address in full:\n%s", page)
	}
}
