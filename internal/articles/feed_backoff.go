package articles

import "time"

// MaxPollBackoff is the longest a failing feed waits between polls
// (pollBackoff): a site down for a week is still tried once a day, so
// its feed is read again within a day of its return, without anyone
// pressing Poll now.
const MaxPollBackoff = 24 * time.Hour

// pollBackoff is how long a feed whose polls failed failures times in a
// row waits for its next: the interval after the first failure, twice
// that after the second, and so on up to MaxPollBackoff (15 minutes, 30,
// an hour, … 16 hours, then a day). A site that is down, or gone, was
// fetched every 15 minutes for as long as the feed was kept, each poll
// failing the same way.
func (f *Feeds) pollBackoff(failures int) time.Duration {
	wait := f.Interval
	for i := 1; i < failures && wait < MaxPollBackoff; i++ {
		wait *= 2
	}
	return max(min(wait, MaxPollBackoff), f.Interval)
}
