package subscribers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// ErrClosed is returned by Signups.Signup after Close.
var ErrClosed = errors.New("signups: closed")

// Signups takes signups from many requests and commits them together: one
// goroutine owns the writes, gathers what arrived while the previous
// transaction committed, applies them in one transaction (each in a
// transaction of its own should that fail) and answers every caller after
// the commit. The confirmations of a batch then go to Redis as
// one task, off the callers' path; rows flagged confirm_queued cover a
// crash before that (see Reconcile).
type Signups struct {
	store *Store
	enq   queue.Enqueuer
	log   *slog.Logger

	// MaxBatch bounds the signups in one transaction.
	MaxBatch int
	// Metrics, when set before the first Signup, counts the transactions
	// and the signups in each (a batch that fails is retried a signup a
	// transaction, each counted).
	Metrics *SignupMetrics
	// DueTasks, when set before the first Signup, schedules the mail a
	// signup held within ConfirmInterval leaves due (see holdRequest) for
	// the moment the interval is over: a queue.TypeSubscriberConfirmDue
	// task, which whoever sets it must handle (a DueConfirmer). Unset, the
	// mail waits for the reconciler's next tick after that moment.
	DueTasks bool

	// times are the latest signups' own times (evenOut).
	times signupTimes
	// clock and waitUntil, when a test sets them, stand for time.Now and
	// holdUntil in evenOut.
	clock     func() time.Time
	waitUntil func(ctx context.Context, deadline time.Time)

	jobs     chan *signupJob
	mails    chan []queue.ConfirmItem
	dues     chan queue.ConfirmItem
	quit     chan struct{}
	once     sync.Once
	wg       sync.WaitGroup
	inflight sync.WaitGroup // committed batches and dues not yet handed to the queue
}

type signupJob struct {
	ctx     context.Context
	in      *Signup
	listIDs []int64
	err     error
	done    chan struct{}
	// known is set by the commit when the address was stored already,
	// and wrote when that signup flagged a mail or left one due
	// (evenOut).
	known, wrote bool
}

// NewSignups returns a running Signups writing to store and enqueuing
// confirmations on enq. Close stops it.
func NewSignups(store *Store, enq queue.Enqueuer, log *slog.Logger) *Signups {
	if log == nil {
		log = slog.Default()
	}
	s := &Signups{
		store: store, enq: enq, log: log, MaxBatch: 256,
		jobs:  make(chan *signupJob, 1024),
		mails: make(chan []queue.ConfirmItem, 64),
		dues:  make(chan queue.ConfirmItem, maxDues),
		quit:  make(chan struct{}),
	}
	s.wg.Add(3)
	go s.commitLoop()
	go s.enqueueLoop()
	go s.dueLoop()
	return s
}

// Signup normalises and checks in, then stores it; it returns once the
// signup is committed. Public signups may only name public lists. A
// signup refused names every field at fault (see Check).
func (s *Signups) Signup(ctx context.Context, in *Signup) error {
	start := s.now()
	ids, err := s.store.checkSignup(ctx, in)
	if err != nil {
		return err
	}
	job := &signupJob{ctx: ctx, in: in, listIDs: ids, done: make(chan struct{})}
	select {
	case s.jobs <- job:
	case <-s.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-job.done:
		s.evenOut(job, start)
		return job.err
	case <-s.quit:
		return ErrClosed
	}
}

// Check normalises and checks in as Signup does, and stores nothing: it
// returns the validation error naming every field at fault, or nil. The
// JSON signup calls it on what it could decode of a body with a member of
// the wrong kind, so that its answer names the other faults too.
func (s *Signups) Check(ctx context.Context, in *Signup) error {
	_, err := s.store.checkSignup(ctx, in)
	return err
}

// Close stops taking signups, finishing the batch in hand and handing its
// confirmations to the queue.
func (s *Signups) Close() error {
	s.once.Do(func() { close(s.quit) })
	s.wg.Wait()
	return nil
}

// commitLoop commits the signups as they come. It hands each committed
// batch's confirmations to enqueueLoop without waiting for it: while the
// queue is slow (Redis stalls) they wait in pending, a few bytes per
// signup, and signups go on being committed and answered. Each batch is
// handed on whole, in order, so no task grows past maxConfirmItems.
func (s *Signups) commitLoop() {
	defer s.wg.Done()
	defer close(s.mails)
	defer close(s.dues)
	batch := make([]*signupJob, 0, s.MaxBatch)
	var pending [][]queue.ConfirmItem // committed, not yet handed on
	together := 0                     // commits that yield first: 8 after one held more than one signup
	for {
		var out chan<- []queue.ConfirmItem // nil, so never ready, when nothing waits
		var head []queue.ConfirmItem
		if len(pending) > 0 {
			out, head = s.mails, pending[0]
		}
		select {
		case <-s.quit:
			for _, items := range pending {
				s.mails <- items // enqueueLoop reads until the channel closes
			}
			return
		case out <- head:
			pending[0] = nil
			pending = pending[1:]
			continue
		case job := <-s.jobs:
			batch = append(batch[:0], job)
		}
		// When signups come in together (one of the last 8 commits held
		// more than one), let the requests the last commit answered, and
		// those read since, run first: they were made runnable on this P
		// and reach the queue within microseconds, where the commit would
		// otherwise take this job alone. With 8 clients a commit then holds
		// about 3.4 signups, not 1.4, and each signup pays under a third of
		// a COMMIT, not seven tenths. Lone signups do not yield: Gosched puts
		// this goroutine on the global run queue, which busy Ps look at only
		// every 61st turn, and while a DKIM-signed campaign went out that
		// added 12 ms to a lone signup's median. (Yielding only after a
		// commit of more than one kept 1.8 a commit.)
		if together > 0 {
			runtime.Gosched()
		}
	gather:
		for len(batch) < s.MaxBatch {
			select {
			case job := <-s.jobs:
				batch = append(batch, job)
			default:
				break gather
			}
		}
		if len(batch) > 1 {
			together = 8
		} else if together > 0 {
			together--
		}
		items, dues := s.commit(batch)
		if len(items) > 0 {
			s.inflight.Add(1)
			pending = append(pending, items)
		}
		s.handDues(dues)
		for _, job := range batch {
			close(job.done)
		}
	}
}

// commit applies a batch in one transaction. Signups are checked before
// they queue, so a failure here is rare; when it happens the batch is
// retried one signup per transaction, so that it fails only its caller.
// A full disk fails them all, at once: each alone would fail the same.
// It returns the confirmations to send and, with DueTasks, those due
// once ConfirmInterval is over.
func (s *Signups) commit(batch []*signupJob) (items, dues []queue.ConfirmItem) {
	items, dues, err := s.commitTx(batch)
	if err == nil || len(batch) == 1 || bulletin.ErrorCode(err) == bulletin.EUNAVAILABLE {
		if err != nil {
			s.log.Error("signup", "signups", len(batch), "err", err)
			for _, job := range batch {
				job.err = fmt.Errorf("signup: %w", err)
			}
		}
		return items, dues
	}
	items, dues = items[:0], dues[:0]
	for _, job := range batch {
		one, due, err := s.commitTx([]*signupJob{job})
		if err != nil {
			s.log.Error("signup", "err", err)
			job.err = fmt.Errorf("signup: %w", err)
		}
		items, dues = append(items, one...), append(dues, due...)
	}
	return items, dues
}

func (s *Signups) commitTx(batch []*signupJob) (items, dues []queue.ConfirmItem, err error) {
	s.Metrics.observe(len(batch))
	now := sqlite.Now()
	// ConnTx: a transaction per batch, thousands a second, each without
	// the goroutine database/sql gives a *sql.Tx.
	err = s.store.db.ConnTx(context.Background(), func(tx sqlite.Querier) error {
		items, dues = items[:0], dues[:0]
		for _, job := range batch {
			if job.ctx.Err() != nil {
				job.err = job.ctx.Err()
				continue
			}
			// signupTx, with the insert's outcome kept for evenOut.
			item, err := insertPending(context.Background(), tx, job.in, job.listIDs, now)
			var due *queue.ConfirmItem
			if job.known = item == nil && err == nil; job.known {
				item, due, err = knownSignupTx(context.Background(), tx, job.in, job.listIDs, now)
				job.wrote = item != nil || due != nil
			}
			if err != nil {
				return err
			}
			if item != nil {
				items = append(items, *item)
			}
			if due != nil && s.DueTasks {
				dues = append(dues, *due)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return items, dues, nil
}

// maxDues bounds the dues committed and not yet scheduled. A due is rare
// (a second signup within minutes, asking for another list), and one
// dropped when they pile up (Redis stalls) is still sent, by the
// reconciler, from its row.
const maxDues = 256

// handDues hands the dues of a committed batch to dueLoop, without
// waiting: commitLoop must not wait on the queue.
func (s *Signups) handDues(dues []queue.ConfirmItem) {
	for _, it := range dues {
		s.inflight.Add(1)
		select {
		case s.dues <- it:
		default:
			s.inflight.Done()
			s.log.Warn("too many confirmations due to schedule; the reconciler will send this one", "subscriber", it.ID)
		}
	}
}

// dueLoop schedules each due confirmation for the moment ConfirmInterval
// after the last mail is over. A failure is logged, not retried here: the
// reconciler sends the mail from its row.
func (s *Signups) dueLoop() {
	defer s.wg.Done()
	for it := range s.dues {
		task, err := queue.NewConfirmDueTask(it, ConfirmDueAt(time.UnixMicro(it.SentAt)))
		if err == nil {
			err = queue.EnqueueUnique(context.Background(), s.enq, task)
		}
		if err != nil {
			s.log.Error("schedule a confirmation due; the reconciler will send it", "subscriber", it.ID, "err", err)
		}
		s.inflight.Done()
	}
}

// confirmLinger is how long enqueueLoop waits for more committed batches
// to join a confirm task; maxConfirmItems bounds the task, at what one
// commit could always hold, so that a task sends no more mails within its
// timeout than before. Each task costs
// the queue a few scripts and the worker a transaction whatever its size,
// and under load a batch holds only the few signups of one commit, so
// gathering them is most of the queue's work saved. The embedded Redis
// runs each script in a Lua state of its own, ~150 KB of garbage a call:
// at 20 ms, the queue made a third of serve's garbage under a signup
// load. The callers have their answer already: only the mail waits, at
// most confirmLinger, which a reader waiting for it cannot tell.
const (
	confirmLinger   = 100 * time.Millisecond
	maxConfirmItems = 256
)

// enqueueLoop sends the confirmations of the committed batches as one
// task: those queued while the previous task was enqueued, and those
// committed within confirmLinger. A failure is logged, not retried here:
// the rows stay flagged and the reconciler enqueues them again.
func (s *Signups) enqueueLoop() {
	defer s.wg.Done()
	timer := time.NewTimer(confirmLinger)
	var next []queue.ConfirmItem // a batch that did not fit the last task
	for {
		items := next
		if next = nil; items == nil {
			var ok bool
			if items, ok = <-s.mails; !ok {
				return
			}
		}
		batches := 1
		timer.Reset(confirmLinger)
	gather:
		for len(items) < maxConfirmItems {
			select {
			case more, ok := <-s.mails:
				if !ok {
					break gather
				}
				if len(items)+len(more) > maxConfirmItems {
					next = more
					break gather
				}
				items = append(items, more...)
				batches++
			case <-timer.C:
				break gather
			}
		}
		task, err := queue.NewConfirmTask(items)
		if err == nil {
			err = queue.EnqueueUnique(context.Background(), s.enq, task)
		}
		if err != nil {
			s.log.Error("enqueue confirmations; the reconciler will retry", "count", len(items), "err", err)
		}
		for range batches {
			s.inflight.Done()
		}
	}
}

// Flush waits until the confirmations of every signup answered so far
// have been handed to the queue, the dues scheduled with them.
func (s *Signups) Flush() { s.inflight.Wait() }

// SignupMetrics is the group commit's histogram: how many signups each of
// its transactions held. Its count is the transactions, its sum the
// signups; their ratio is what a commit's fixed cost is shared by.
type SignupMetrics struct {
	batch prometheus.Histogram
}

// NewSignupMetrics registers the histogram on reg.
func NewSignupMetrics(reg prometheus.Registerer) *SignupMetrics {
	m := &SignupMetrics{batch: prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "bulletin_signup_batch_signups",
		Help:    "Signups in each transaction of the signups' group commit.",
		Buckets: []float64{1, 2, 4, 8, 16, 64, 256},
	})}
	reg.MustRegister(m.batch)
	return m
}

func (m *SignupMetrics) observe(n int) {
	if m != nil {
		m.batch.Observe(float64(n))
	}
}
