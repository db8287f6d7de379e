package mailer

import "time"

// SetConfirmEvery sets how often a RedisLedger checks the writes it keeps
// for a test, and puts it back at the test's end.
func SetConfirmEvery(cleanup func(func()), every time.Duration) {
	old := confirmEvery
	confirmEvery = every
	cleanup(func() { confirmEvery = old })
}
