package campaigns

import "testing"

// A digest's preheader, cut, never ends on a number or a date whose rest
// was cut: the words before them end it. A line that fits keeps its
// numbers, a month without a number is a word like any other, and a
// line of numbers only is cut as clip cuts it.
func TestClipLineLeavesNoNumberHalfCut(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Fares rise by 12 per cent", "Fares rise by 12 per cent"},
		{"Market opens on 5 December 2026 at the quay", "Market opens on…"},
		{"Opens on December 5th, 2026 at the quay", "Opens on…"},
		{"Ferry fares up by £1,200 yearly from May", "Ferry fares up by…"},
		{"The market opens in May again next year", "The market opens in May…"},
		{"Tide tables 2027 2028 2029 2030", "Tide tables…"},
		{"Market opens on December 24 at the quay", "Market opens on December…"},
		{"1234567 2345678 3456789 4567890", "1234567 2345678 3456789…"}, // nothing but numbers: kept
	} {
		if got := clipLine(tt.in, 28); got != tt.want {
			t.Errorf("clipLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
