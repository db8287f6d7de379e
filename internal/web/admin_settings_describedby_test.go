package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var invalidInput = regexp.MustCompile(`<(?:input|textarea) id="([a-z_]+)"[^>]*aria-invalid="true"[^>]*>`)

// After a refused save, each invalid field of the settings is described by
// its error message, and by its note when it has one: the name and the
// From address pointed at their notes only, which the error had taken the
// id of. Every id named is on the page once.
func TestSettingsInvalidFieldsDescribedByTheirErrors(t *testing.T) {
	_, a := newSettingsServer(t)
	_, body := a.postSettings(url.Values{"name": {strings.Repeat("n", 101)}, "from_address": {"not an address"}, "accent": {"blue"}}, nil)
	want := map[string]string{"name": "name-error name-note", "from_address": "from_address-error from_address-note", "accent": "accent-error"}
	seen := map[string]bool{}
	for _, m := range invalidInput.FindAllStringSubmatch(body, -1) {
		field := m[1]
		seen[field] = true
		by := regexp.MustCompile(`aria-describedby="([^"]*)"`).FindStringSubmatch(m[0])
		if by == nil {
			t.Errorf("invalid %s has no aria-describedby: %s", field, m[0])
			continue
		}
		if w, ok := want[field]; ok && by[1] != w {
			t.Errorf("invalid %s is described by %q, want %q", field, by[1], w)
		}
		for _, id := range strings.Fields(by[1]) {
			if n := strings.Count(body, ` id="`+id+`"`); n != 1 {
				t.Errorf("invalid %s is described by #%s, which the page has %d times", field, id, n)
			}
		}
		if !regexp.MustCompile(`<p class="error" id="` + field + `-error">[^<]+</p>`).MatchString(body) {
			t.Errorf("invalid %s has no error message #%s-error", field, field)
		}
	}
	for field := range want {
		if !seen[field] {
			t.Errorf("%s is not marked invalid:\n%s", field, body)
		}
	}
}
