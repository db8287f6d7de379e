package tracking

import "time"

// burstWindow is how close together clicks of one delivery on different
// links must come to be a program's: a person reads between links; a
// scanner follows them all within a second or two.
const burstWindow = 5 * time.Second

// burstLinks is how many distinct links within burstWindow make a burst,
// or every link of a message with fewer (but at least two).
const burstLinks = 3

// bursts remembers each delivery's recent clicks. It is the Recorder's
// writer's own: no lock.
type bursts struct {
	window time.Duration
	m      map[burstKey]*burstState
	swept  time.Time
}

type burstKey struct{ campaign, delivery int64 }

type burstState struct {
	recent []burstClick // within window of the newest
	until  time.Time    // clicks up to this time belong to a burst found
	last   time.Time
}

type burstClick struct {
	at   time.Time
	link int
}

// A burstStart is where a newly found burst began: the clicks of that
// reader (by pseudonym) since then are flagged in the database too.
type burstStart struct {
	campaign, pseud int64
	since           time.Time
}

func newBursts(window time.Duration) *bursts {
	return &bursts{window: window, m: map[burstKey]*burstState{}}
}

// observe notes a click and says whether it belongs to a burst; since is
// set when this click reveals one, to the time of its first click.
func (b *bursts) observe(campaign, delivery int64, link, links int, at time.Time) (burst bool, since time.Time) {
	b.sweep(at)
	k := burstKey{campaign, delivery}
	st := b.m[k]
	if st == nil {
		st = &burstState{}
		b.m[k] = st
	}
	if at.After(st.last) {
		st.last = at
	}
	if !st.until.IsZero() && !at.After(st.until) {
		st.until = at.Add(b.window)
		return true, time.Time{}
	}
	kept := st.recent[:0]
	for _, c := range st.recent {
		if at.Sub(c.at) <= b.window && c.at.Sub(at) <= b.window {
			kept = append(kept, c)
		}
	}
	st.recent = append(kept, burstClick{at: at, link: link})
	need := min(burstLinks, links)
	if need < 2 {
		return false, time.Time{}
	}
	first := at
	distinct := map[int]bool{}
	for _, c := range st.recent {
		distinct[c.link] = true
		if c.at.Before(first) {
			first = c.at
		}
	}
	if len(distinct) < need {
		return false, time.Time{}
	}
	st.until = at.Add(b.window)
	st.recent = nil
	return true, first
}

// sweep forgets deliveries without a click in the last window, at most
// once a window.
func (b *bursts) sweep(now time.Time) {
	if now.Sub(b.swept) < b.window {
		return
	}
	b.swept = now
	for k, st := range b.m {
		if now.Sub(st.last) > 2*b.window {
			delete(b.m, k)
		}
	}
}
