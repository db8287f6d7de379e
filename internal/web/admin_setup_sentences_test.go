package web

import (
	"html"
	"net/http"
	"regexp"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Every message under a field of the refused setup form is a sentence,
// as its neighbours are: the public URL's and the From address's came
// from the settings as fragments ("write one address, e.g.
// news@example.com") between "The passwords do not match: type the same
// one twice." and the others.
func TestSetupErrorsAreSentences(t *testing.T) {
	_, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: "[::1]:40000", host: "[::1]:8080"}
	f := setupForm(c.csrf(), "")
	f.Set("email", "not an address")
	f.Set("password", "short")
	f.Set("password2", "other")
	f.Set("list_name", "")
	f.Set("list_slug", "Not A Slug")
	f.Set("public_url", "news.harbour.example")
	f.Set("from_address", "news at harbour")
	resp, body := c.do("POST", "/admin/setup", f)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad setup = %d, want 422:\n%s", resp.StatusCode, body)
	}
	errs := regexp.MustCompile(`<p class="error" id="([a-z_0-9]+)-error">([^<]*)</p>`).FindAllStringSubmatch(body, -1)
	seen := map[string]bool{}
	for _, m := range errs {
		field, msg := m[1], html.UnescapeString(m[2])
		seen[field] = true
		first, _ := utf8.DecodeRuneInString(msg)
		if !unicode.IsUpper(first) && first != '"' || msg[len(msg)-1] != '.' {
			t.Errorf("the %s field's message is not a sentence: %q", field, msg)
		}
	}
	for _, field := range []string{"email", "password", "password2", "list_name", "list_slug", "public_url", "from_address"} {
		if !seen[field] {
			t.Errorf("no message under the %s field:\n%s", field, body)
		}
	}
}
