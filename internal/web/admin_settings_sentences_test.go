package web

import (
	"html"
	"net/http"
	"regexp"
	"testing"
	"unicode"
	"unicode/utf8"
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
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("save = %d, want 422", resp.StatusCode)
	}
	msgs := regexp.MustCompile(`<p class="error" id="([a-z_]+)-(?:error|note)">([^<]*)</p>`).FindAllStringSubmatch(body, -1)
	if len(msgs) < 3 {
		t.Fatalf("%d field messages, want the three refused fields':\n%s", len(msgs), body)
	}
	for _, m := range msgs {
		why := html.UnescapeString(m[2])
		first, _ := utf8.DecodeRuneInString(why)
		if !unicode.IsUpper(first) || why[len(why)-1] != '.' {
			t.Errorf("%s says %q, not a sentence", m[1], why)
		}
	}
}
