package campaigns

import "time"

// SetClock makes s read the time from now: tests move a digest's clock
// without waiting.
func SetClock(s *Store, now func() time.Time) { s.now = now }
