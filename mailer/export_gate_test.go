package mailer

import "time"

// SetGate sets when the refusal gate's first probe goes after it closes,
// and the longest between two probes, for a test, and puts them back at
// the test's end.
func SetGate(cleanup func(func()), first, most time.Duration) {
	oldFirst, oldMax := gateFirst, gateMax
	gateFirst, gateMax = first, most
	cleanup(func() { gateFirst, gateMax = oldFirst, oldMax })
}
