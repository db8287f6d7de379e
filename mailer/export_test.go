package mailer

import "time"

// SetTroubleGap sets the least time between two of the Sender's WARNs
// about the mail server for a test, and puts it back at the test's end.
func SetTroubleGap(cleanup func(func()), gap time.Duration) {
	old := troubleGap
	troubleGap = gap
	cleanup(func() { troubleGap = old })
}
