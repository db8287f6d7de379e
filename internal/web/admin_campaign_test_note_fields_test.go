package web

import (
	"strings"
	"testing"
)

// The note beside the test form, that a test reads as the preview does
// for Ada Reader at ada@example.com, is there whenever the body writes a
// personal field the test fills in with hers: {{ .Email }} alone too,
// whose test shows ada@example.com, where the note was missing because
// only {{ .Name }} called for it. A body with no field, or only two
// braces written as text, has no note.
func TestCampaignTestNoteForEveryPersonalField(t *testing.T) {
	a, _, _, token := camp37Server(t, nil)
	for _, tc := range []struct {
		body string
		note bool
	}{
		{`Your address with us: {{ .Email }}.`, true},
		{`Hello {{ .Name }},\n\nnews from the pier.`, true},
		{`Hello {{ .Name | default \"reader\" }}, written to {{ .Email }}.`, true},
		{`News from the pier.`, false},
		{`Write {{ \"{{\" }} for two braces.`, false},
	} {
		page, _ := createCampaign(t, a, token, `{"subject":"Pier","body":"`+tc.body+`","lists":["news"]}`)
		_, body := a.get(page)
		if got := strings.Contains(body, `id="test-name"`); got != tc.note {
			t.Errorf("body %s: the test note shown = %v, want %v", tc.body, got, tc.note)
		}
	}
}
