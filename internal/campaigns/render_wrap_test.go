package campaigns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// TestTextPartWrapsAsReadersRead: the text part is wrapped at 72 columns
// by what a reader reads. A fallback is measured as its text, so a reader
// without a name gets the lines of the body with the fallback written in
// (its placeholder, 28 characters, broke the line early); a heading too
// long for a line is wrapped, its rule as long as its longest line.
func TestTextPartWrapsAsReadersRead(t *testing.T) {
	text := func(body string) string {
		t.Helper()
		_, s, err := RenderFor(body, mailer.Personal{Email: "ann@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const prose = "the ferry leaves the north pier every forty minutes on weekdays, hourly at weekends, and not at all on the day of the regatta."
	tests := []struct{ name, body, want string }{
		{"a fallback measured as its text", `Dear {{ .Name | default "reader" }}, ` + prose, text("Dear reader, " + prose)},
		{"a heading wrapped, ruled to its longest line",
			"# Ferry timetable for the winter: every change at the north and south piers, from December\n\nText.",
			"Ferry timetable for the winter: every change at the north and south\npiers, from December\n" +
				strings.Repeat("=", 67) + "\n\nText.\n"},
	}
	for _, tt := range tests {
		got := text(tt.body)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		for _, l := range strings.Split(got, "\n") {
			if n := len([]rune(l)); n > textWidth {
				t.Errorf("%s: a line of %d columns: %q", tt.name, n, l)
			}
		}
	}
}
