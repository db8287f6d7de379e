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
	brand := DefaultBrand()
	brand.Name = "Harbour Gazette"
	text, _ := renderMail(t, tmpl, "digest", digestMailData(brand, "2 new stories", "4 December 2026",
		digestArticleData("https://news.example/quay", "Quay reopens", "4 December 2026", ""),
		digestArticleData(untitled, untitled, "4 December 2026", "")))
	if n := strings.Count(text, untitled); n != 1 {
		t.Errorf("the untitled story's address is in the text part %d times, want once:\n%s", n, text)
	}
	if !strings.Contains(text, "Quay reopens\nhttps://news.example/quay\n") {
		t.Errorf("a titled story lost its title line:\n%s", text)
	}
}
