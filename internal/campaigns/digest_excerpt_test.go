package campaigns

import (
	"strings"
	"testing"
)

// An excerpt cut inside a link's label keeps the link, its label cut with
// the ellipsis, and the text part still says where it goes.
func TestExcerptClipKeepsACutLink(t *testing.T) {
	long := strings.Repeat("word ", 10)
	ex := bodyExcerpt("Start "+"[the "+long+"end](https://harbour.example/x) after.", "https://news.example/a")
	cut := ex.clip(30)
	if got := cut.String(); got != "Start the word word word…" {
		t.Errorf("clipped text = %q", got)
	}
	if got := cut.Text(); got != "Start the word word word… (https://harbour.example/x)" {
		t.Errorf("clipped text part = %q", got)
	}
	if n := len(cut); n != 2 || cut[1].URL != "https://harbour.example/x" {
		t.Errorf("clipped parts = %+v, want the text and the cut link", cut)
	}
}
