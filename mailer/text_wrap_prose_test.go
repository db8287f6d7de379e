package mailer_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// WrapProse fills each line with the words that fit, names and all: a
// name kept whole moves to the next line when it does not fit, and is
// never put on a line of its own when it fits after the words before it.
func TestWrapProseKeepsNamesWholeAsProse(t *testing.T) {
	long := strings.Repeat("Harbour ", 10) + "Times" // 85 columns: wider than a line
	for _, tt := range []struct {
		name, s string
		whole   []string
		want    string
	}{
		{"a sentence that fits stays on one line",
			"Please confirm that you want mail from Harbour Times (Weekend Culture).", []string{"Harbour Times", "Weekend Culture"},
			"Please confirm that you want mail from Harbour Times (Weekend Culture)."},
		{"a name goes on after the words before it",
			"Please confirm that you want to receive mail from Harbour Times (Weekend Culture) at this address:",
			[]string{"Harbour Times", "Weekend Culture"},
			"Please confirm that you want to receive mail from Harbour Times\n(Weekend Culture) at this address:"},
		{"a name that does not fit moves whole",
			"The link works for 7 days. If you did not ask for this, ignore this mail: nothing changes, and you keep getting Daily News.",
			[]string{"Daily News"},
			"The link works for 7 days. If you did not ask for this, ignore this\nmail: nothing changes, and you keep getting Daily News."},
		{"without the name kept whole, the line breaks inside it",
			"You are already subscribed to Harbour Times (Daily News, Saturday Culture Guide) at this address:", nil,
			"You are already subscribed to Harbour Times (Daily News, Saturday\nCulture Guide) at this address:"},
		{"kept whole, it moves",
			"You are already subscribed to Harbour Times (Daily News, Saturday Culture Guide) at this address:",
			[]string{"Harbour Times", "Daily News", "Saturday Culture Guide"},
			"You are already subscribed to Harbour Times (Daily News,\nSaturday Culture Guide) at this address:"},
		{"a name wider than a line breaks at its spaces",
			"Mail from " + long + " at this address:", []string{long},
			"Mail from Harbour Harbour Harbour Harbour Harbour Harbour Harbour\nHarbour Harbour Harbour Times at this address:"},
		{"runs of spaces read as one, in the name too",
			"Mail  from\nHarbour   Times.", []string{"Harbour  Times"}, "Mail from Harbour Times."},
	} {
		got := mailer.WrapProse(tt.s, mailer.TextWidth, tt.whole...)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		for _, line := range strings.Split(got, "\n") {
			if n := len([]rune(line)); n > mailer.TextWidth {
				t.Errorf("%s: line of %d columns: %q", tt.name, n, line)
			}
		}
	}
}
