package web

import (
	"regexp"
	"testing"
)

// snippetField is a field of the embed snippet with a border of its own,
// and the border's colour.
var snippetField = regexp.MustCompile(`<input style="[^"]*\bborder:1px solid (#[0-9a-f]{3}(?:[0-9a-f]{3})?)[^"]*"[^>]*>`)

// The fields of the snippet a publisher embeds stand out 3:1 at least
// from the page it is pasted in, white or black or between (WCAG
// 1.4.11): their #999 was 2.85:1 on white.
func TestEmbedFieldBordersContrast(t *testing.T) {
	e := newSubEnv(t, 0)
	fields := snippetField.FindAllStringSubmatch(snippetOf(t, e, "/subscribe/embed"), -1)
	if len(fields) != 2 {
		t.Fatalf("%d fields with a border, want the address's and the name's", len(fields))
	}
	for _, f := range fields {
		border := cssVars("--b:" + f[1])["--b"] // #999 as #999999
		for _, page := range []string{"#ffffff", "#f6f7f9", "#000000"} {
			if got := contrast(t, border, page); got < 3 {
				t.Errorf("the border %s on a page of %s is %.2f:1, want 3:1 at least: %s", border, page, got, f[0])
			}
		}
	}
}
