package web

import (
	"html"
	"strings"
	"testing"
)

// The note beside the test form said {{ .Name }} shows "Ada Reader" in a
// test, but not that {{ .Email }} shows the sample reader's address too,
// ada@example.com, not the tester's, since a test reads as the preview.
func TestCampaignTestNoteSaysEmailShowsTheSampleAddress(t *testing.T) {
	a, _, _, token := camp37Server(t, nil)
	page, _ := createCampaign(t, a, token, `{"subject":"Pier","body":"Hello {{ .Name }},\n\nYour address: {{ .Email }}.","lists":["news"]}`)
	_, body := a.get(page)
	want := "A test reads as the preview below does, for a reader named Ada Reader at ada@example.com: " +
		"where the body writes {{ .Name }}, the test shows “Ada Reader”, and where it writes {{ .Email }}, ada@example.com, not your own name and address."
	if text := html.UnescapeString(textOf(body)); !strings.Contains(text, want) {
		t.Errorf("the test note does not say what {{ .Name }} and {{ .Email }} show:\n%s", text)
	}
}
