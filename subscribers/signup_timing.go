package subscribers

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"time"
)

// evenOut keeps the time a signup takes from telling whether its address
// was stored already. Every signup gets the same answer (no enumeration),
// but a new address costs its rows' inserts where a known one costs a read
// and often writes nothing, so a known address was answered sooner: by
// about a fifth of the signup's time (a median of 245 µs against 320 µs
// over HTTP on 127.0.0.1), which a few hundred tries of one address tell
// apart. A new signup records how long it took, and is never held; a
// known one is answered no sooner than a recent new one, drawn at random,
// took, so that both follow the same spread of times, the machine's load
// included. Before any new signup it is not held.
func (s *Signups) evenOut(job *signupJob, start time.Time) {
	if job.err != nil {
		return
	}
	took := time.Since(start)
	if !job.known {
		s.newTimes.add(took)
		return
	}
	d, ok := s.newTimes.sample()
	if !ok || d <= took {
		return
	}
	deadline := start.Add(d)
	// A timer fires up to a millisecond or more late on a busy machine,
	// five times the gap it would close: it sleeps only past spinFor, and
	// the rest is waited out yielding the processor, at the cost of a
	// known address's signup alone.
	if sleep := d - took - spinFor; sleep > 0 {
		t := time.NewTimer(sleep)
		select {
		case <-t.C:
		case <-job.ctx.Done():
		case <-s.quit:
		}
		t.Stop()
	}
	for time.Now().Before(deadline) && job.ctx.Err() == nil {
		runtime.Gosched()
	}
}

// spinFor is the part of evenOut's wait it spends yielding, not asleep.
const spinFor = 2 * time.Millisecond

// signupTimes holds the latest times of new addresses' signups.
type signupTimes struct {
	mu sync.Mutex
	d  [64]time.Duration
	n  int // times added, of which the last len(d) are kept
}

func (t *signupTimes) add(d time.Duration) {
	t.mu.Lock()
	t.d[t.n%len(t.d)] = d
	t.n++
	t.mu.Unlock()
}

// sample is one of the times kept, at random, or false when none is.
func (t *signupTimes) sample() (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		return 0, false
	}
	return t.d[rand.IntN(min(t.n, len(t.d)))], true
}
