package subscribers

import "testing"

// A zone name in other capitals is named as it is written: an editor who
// typed "europe/paris" was told only to mind the capitals.
func TestZoneInOtherCase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"europe/paris", "Europe/Paris"},
		{"EUROPE/PARIS", "Europe/Paris"},
		{"america/new_york", "America/New_York"},
		{"america/los_angeles", "America/Los_Angeles"},
		{"utc", "UTC"},
		{"Europe/Paris", ""}, // already right
		{"Mars/Olympus", ""}, // no such zone
		{"local", ""},        // never the server's clock
		{"", ""},
	} {
		if got := ZoneInOtherCase(tc.in); got != tc.want {
			t.Errorf("ZoneInOtherCase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := ZoneProblem("europe/paris"); got != `time zone names mind their capitals: write "Europe/Paris"` {
		t.Errorf("ZoneProblem(europe/paris) = %q", got)
	}
	if got := ZoneProblem("Mars/Olympus"); got == "" || got == ZoneProblem("europe/paris") {
		t.Errorf("ZoneProblem(Mars/Olympus) = %q", got)
	}
}
