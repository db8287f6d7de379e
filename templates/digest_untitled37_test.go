package templates

import (
	"strings"
	"testing"
)

// A digest's text part names a story by its title, then its address; a
// story stored with its address for a title (a feed item with neither
// title nor text, before feed intake made it one from the address) gives
// the address once, where it stood twice in a row.
func TestDigestTextGivesAnUntitledStorysAddressOnce(t *testing.T) {
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	const untitled = "https://news.example/2026/12/04/item-7"
	text, _, err := tmpl.Mail("digest", map[string]any{
		"Publisher": "Harbour Gazette", "ListName": "Daily News", "Heading": "2 new stories", "Range": "4 December 2026",
		"Articles": []map[string]any{
			{"URL": "https://news.example/quay", "Title": "Quay reopens", "TextTitle": "Quay reopens", "TextByline": "4 December 2026"},
			{"URL": untitled, "Title": untitled, "TextTitle": untitled, "TextByline": "4 December 2026"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(text, untitled); n != 1 {
		t.Errorf("the untitled story's address is in the text part %d times, want once:\n%s", n, text)
	}
	if !strings.Contains(text, "Quay reopens\nhttps://news.example/quay\n") {
		t.Errorf("a titled story lost its title line:\n%s", text)
	}
}
