package campaigns_test

import (
	"strings"
	"testing"
)

// The footer names the reader's list in curly quotes in both parts, so a
// name with straight quotes of its own reads: the text part read `the
// list "Fête & Café — Été "Spécial""`, quotes in quotes, where the HTML
// part read “…”.
func TestFooterQuotesTheListNameAlikeInBothParts(t *testing.T) {
	const list = `Fête & Café — Été "Spécial"`
	pm := sentTo(t, list, "Hello.", nil)
	if want := "You receive this because you joined the list “" + list + "”."; !strings.Contains(strings.ReplaceAll(pm.Text, "\n", " "), want) {
		t.Errorf("text part lacks %q:\n%s", want, pm.Text)
	}
	if strings.Contains(pm.Text, `""`) {
		t.Errorf("text part nests straight quotes:\n%s", pm.Text)
	}
	if want := "you joined the list “Fête &amp; Café — Été &#34;Spécial&#34;”."; !strings.Contains(pm.HTML, want) {
		t.Errorf("HTML part lacks %q:\n%s", want, pm.HTML)
	}
}
