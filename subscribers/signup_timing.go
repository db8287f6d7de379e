package subscribers

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"
)

// evenOut keeps the time a signup takes from telling whether its address
// was stored already. Every signup gets the same answer (no enumeration),
// and so must its time.
//
// Both kinds go through the same group commit, but a known address's
// transaction most often changes nothing (the insert meets its row, a
// read or two follow, and within ConfirmInterval no mail is flagged), so
// its COMMIT appends nothing to the WAL: on a SQLite file its own time,
// from Signup's start to the commit's answer, is about half a new one's
// (a median of 35 µs against 68 µs, p90 66 against 115, in process). Its
// tail, though (the scheduler, the collector), reaches well into the new
// ones' times.
//
// It used to be answered at the later of its own time and one new
// signup's time drawn at random: the later of two draws is slower than
// one, and whenever its own time came out above the draw it was not held
// at all, so its tail was added to the new ones'; over a few hundred
// tries on 127.0.0.1 a known address was answered measurably later
// (Mann-Whitney z ≈ −3). Holding every signup the same way would have
// closed the gap by making new ones as slow, their p99 included.
//
// A known signup is now answered at the new signups' time of the same
// rank as its own time has among the recent known signups of its kind
// (answerAt): a quantile mapping, under which a known signup that was
// slow for a known one is answered as slow as a slow new one, and its
// answer times follow the new signups' spread, the machine's load
// included, and not the max of two. As the known path's own times are
// below the new ones' at every quantile, it always has time to wait. A
// new signup records its time and is never held. Before any new signup
// a known one is not held.
func (s *Signups) evenOut(job *signupJob, start time.Time) {
	if job.err != nil {
		return
	}
	took := s.now().Sub(start)
	if !job.known {
		s.times.addNew(took)
		return
	}
	d, ok := s.times.answerAt(job.wrote, took)
	if !ok || d <= took {
		return
	}
	if s.waitUntil != nil {
		s.waitUntil(job.ctx, start.Add(d))
		return
	}
	s.holdUntil(job.ctx, start.Add(d))
}

// now is time.Now, or the clock a test set.
func (s *Signups) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// holdUntil returns at deadline, or once ctx is done or Signups closes.
// A timer fires up to a millisecond or more late on a busy machine, more
// than the gap it would close: it sleeps only past spinFor, and the rest
// is waited out yielding the processor, at the cost of a known address's
// signup alone.
func (s *Signups) holdUntil(ctx context.Context, deadline time.Time) {
	if sleep := time.Until(deadline) - spinFor; sleep > 0 {
		t := time.NewTimer(sleep)
		select {
		case <-t.C:
		case <-ctx.Done():
		case <-s.quit:
		}
		t.Stop()
	}
	for time.Now().Before(deadline) && ctx.Err() == nil {
		runtime.Gosched()
	}
}

// spinFor is the part of evenOut's wait it spends yielding, not asleep.
const spinFor = 2 * time.Millisecond

// signupTimes holds the latest signups' own times: the new addresses',
// and the known ones' by kind, as answerAt maps one onto the other.
type signupTimes struct {
	mu    sync.Mutex
	fresh timeWindow
	// known holds the known addresses' signups that wrote nothing ([0])
	// apart from those that flagged a mail or left one due ([1]): these
	// commit a write, as a new one does, and their times are a new
	// one's, where the others' are half as long. One window for both
	// would rank a signup that writes among the cheap ones, and answer
	// it among the slowest new ones.
	known [2]timeWindow
	// rnd is rand.Float64, or what a test set.
	rnd func() float64
}

// timeWindow holds the last len(d) times added.
type timeWindow struct {
	d [64]time.Duration
	n int // times added
}

func (w *timeWindow) add(d time.Duration) {
	w.d[w.n%len(w.d)] = d
	w.n++
}

// kept is the times held, in no order.
func (w *timeWindow) kept() []time.Duration { return w.d[:min(w.n, len(w.d))] }

// addNew records the time a new address's signup took.
func (t *signupTimes) addNew(d time.Duration) {
	t.mu.Lock()
	t.fresh.add(d)
	t.mu.Unlock()
}

// answerAt records took, the own time of a known address's signup (wrote:
// one that flagged a mail or left one due), and returns when after its
// start it is to be answered: the recent new signups' time at the
// quantile took has among the recent known signups' of its kind. Ties
// and the gaps between ranks are spread at random, so that a known
// signup's quantile is uniform on [0, 1) and its answer is as a new
// signup's drawn at random would be, but drawn in step with its own
// time: it is late when its own work was. False before any new signup.
func (t *signupTimes) answerAt(wrote bool, took time.Duration) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := &t.known[0]
	if wrote {
		w = &t.known[1]
	}
	kept := w.kept()
	less, same := 0, 0
	for _, k := range kept {
		if k < took {
			less++
		} else if k == took {
			same++
		}
	}
	u := t.random()
	q := (float64(less) + u*float64(same+1)) / float64(len(kept)+1)
	w.add(took)
	if t.fresh.n == 0 {
		return 0, false
	}
	var buf [len(timeWindow{}.d)]time.Duration
	fresh := buf[:copy(buf[:], t.fresh.kept())]
	slices.Sort(fresh)
	return fresh[min(int(q*float64(len(fresh))), len(fresh)-1)], true
}

func (t *signupTimes) random() float64 {
	if t.rnd != nil {
		return t.rnd()
	}
	return rand.Float64()
}
