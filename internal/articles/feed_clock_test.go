package articles

import "time"

// SetClock makes f take the time from now, for its polls and what they
// record: a test stands for weeks of polls in a moment. now must give
// UTC to the microsecond, as sqlite.Now does, or times will not compare
// as the database stores them.
func (f *Feeds) SetClock(now func() time.Time) { f.now = now }
