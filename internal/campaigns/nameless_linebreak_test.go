package campaigns_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/mailer"
)

// TestTextPartJoinsThePunctuationAfterALeftOutNameToTheWordBefore: the
// text part is wrapped at 72 columns for readers with a name, and may
// break a line right before the name. A reader without a name reads the
// punctuation after it on the word before ("Dear,", never a line
// starting with ","), in headings as in list items and paragraphs, and a
// line that makes too long is wrapped again, a heading's rule as long as
// its longest line. A "Your" that no longer fits moves to the next line.
// A reader with a name reads the lines as they were wrapped before (a
// heading is not wrapped again for a long name).
func TestTextPartJoinsThePunctuationAfterALeftOutNameToTheWordBefore(t *testing.T) {
	x64, x66 := strings.Repeat("x", 64), strings.Repeat("x", 66)
	// The level 3 heading's "### " takes 4 of its 72 columns.
	x56 := strings.Repeat("x", 56)
	body := "## " + x66 + " Dear {{ .Name }}, and the rest\n\n" + // "Dear" ends at column 71
		"# " + x66 + " Dear {{ .Name }}!\n\n" +
		"### " + x56 + " Thanks. {{ .Name }}'s picks\n\n" + // "’s" ends at column 71
		"- " + x64 + " Dear {{ .Name }}, and the rest\n\n" +
		x66 + " Dear {{ .Name }}, and the rest\n"
	cm := winterMessage(t, body)
	for _, tc := range []struct{ name, want string }{
		{"", x66 + " Dear,\nand the rest\n" + strings.Repeat("-", 72) + "\n\n" +
			x66 + " Dear!\n" + strings.Repeat("=", 72) + "\n\n" +
			"### " + x56 + " Thanks.\nYour picks\n\n" +
			"- " + x64 + " Dear,\n  and the rest\n\n" +
			x66 + " Dear,\nand the rest\n"},
		{"Al", x66 + " Dear\nAl, and the rest\n" + strings.Repeat("-", 71) + "\n\n" +
			x66 + " Dear\nAl!\n" + strings.Repeat("=", 71) + "\n\n" +
			"### " + x56 + " Thanks. Al’s\npicks\n\n" +
			"- " + x64 + " Dear\n  Al, and the rest\n\n" +
			x66 + " Dear\nAl, and the rest\n"},
	} {
		raw, err := cm.Compose(nil, mailer.Personal{Email: "ann@example.org", Name: tc.name})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(mailtest.Parse(t, raw).Text, "\r\n", "\n")
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("name %q: text part (-want +got):\n%s", tc.name, diff)
		}
		if tc.name != "" {
			continue // a heading is not wrapped again for a name
		}
		for _, l := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(l); n > 72 || strings.HasPrefix(strings.TrimLeft(l, " -"), ",") {
				t.Errorf("name %q: line %q (%d columns)", tc.name, l, n)
			}
		}
	}
}
