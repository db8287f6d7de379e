package articles

import "time"

// OldNewsAge is how long after its publication a feed item is still news
// when Bulletin first sees it: the week the first digest of a list looks
// back (campaigns.FirstWindow).
const OldNewsAge = 7 * 24 * time.Hour

// oldNews returns the test of whether an item of this poll of fd is old
// news: stored as an article of the feed's list, but never taken by a
// digest as new (Patch.oldNews). An item published more than OldNewsAge
// before now is, as is one without a date at the feed's first poll that
// worked: such items are the site's back issues, which a new feed brings
// by the dozen (or a feed that failed for weeks), not news to mail.
// Later, an undated item is news: it is dated when first saved.
func (f *Feeds) oldNews(fd *Feed) func(*Article) bool {
	first := fd.LastPolledAt == nil || (fd.Items == 0 && fd.LastError != "")
	cutoff := f.now().Add(-OldNewsAge)
	return func(a *Article) bool {
		if a.PublishedAt.IsZero() {
			return first
		}
		return a.PublishedAt.Before(cutoff)
	}
}
