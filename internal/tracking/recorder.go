package tracking

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"hash"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

var (
	// ErrClosed is returned by Click and Open after Close.
	ErrClosed = errors.New("tracking: recorder closed")
	// ErrBusy is returned when the buffer stayed full for MaxWait: the
	// database is not keeping up and the hit was not recorded.
	ErrBusy = errors.New("tracking: recorder busy")
)

// A Hit is one click or open as the request showed it. The Recorder
// classifies it (ClassifyClick, ClassifyOpen, bursts) and derives the
// reader's pseudonym in its writer, off the request's path.
type Hit struct {
	Campaign int64
	// Link is the link's index; opens have none.
	Link int
	// Delivery is 0 when the URL names no reader.
	Delivery int64
	// Mode is the campaign's: only On stores Delivery.
	Mode Mode
	// Links is how many links the campaign has, for burst detection.
	Links int
	// At is when the request came.
	At                time.Time
	Method, UserAgent string
}

// A LinkCount is the clicks one batch recorded on one link, given to
// RecorderOptions.OnBatch.
type LinkCount struct {
	Campaign int64
	Link     int
	// Clicks counts every click; Machine those taken for a program's
	// when they were recorded (a burst found later is not taken back).
	Clicks, Machine int
}

// RecorderOptions tune a Recorder; zero values take the defaults.
type RecorderOptions struct {
	// Buffer is how many hits may wait for the writer (default 8192).
	Buffer int
	// MaxBatch bounds the hits of one transaction (default 1024).
	MaxBatch int
	// MaxWait is how long Click and Open wait for room in a full buffer
	// before giving up with ErrBusy (default 5 s).
	MaxWait time.Duration
	// Linger is how long the writer waits for more hits before it
	// commits a batch that is not full (default 20 ms).
	Linger time.Duration
	Log    *slog.Logger
	// OnBatch, when set, is called by the writer after each commit with
	// the clicks of the batch per link, in no particular order. It must
	// return quickly (hand the counts on): the next batch waits for it.
	// Outgoing link.clicked webhooks hang here.
	OnBatch func([]LinkCount)
	// Events, when set, emits link.clicked in the batches' transactions.
	Events *ClickEvents
}

// A Recorder stores clicks and opens off the request path: handlers hand
// hits to a bounded buffer and answer at once; one writer goroutine
// takes what has gathered and commits it in one transaction (group
// commit). When the buffer is full a handler waits for room rather than
// dropping the hit. Flush waits for what was handed over so far; Close
// writes everything buffered and stops.
type Recorder struct {
	db   *sqlite.DB
	opts RecorderOptions
	key  []byte

	mu     sync.RWMutex // held for reading while handing a hit over, for writing by Close
	closed bool
	ch     chan item
	done   chan struct{}

	// The writer's own.
	mac    hash.Hash
	bursts *bursts
	rows   []row
}

type itemKind uint8

const (
	kindFlush itemKind = iota
	kindClick
	kindOpen
)

type item struct {
	kind  itemKind
	hit   Hit
	flush chan struct{}
}

// NewRecorder returns a running Recorder writing to db; secret keys the
// readers' pseudonyms. Close it after the HTTP server has stopped.
func NewRecorder(db *sqlite.DB, secret []byte, opts RecorderOptions) *Recorder {
	if opts.Buffer <= 0 {
		opts.Buffer = 8192
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1024
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 5 * time.Second
	}
	if opts.Linger <= 0 {
		opts.Linger = 20 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bulletin reader pseudonyms v1"))
	key := m.Sum(nil)
	r := &Recorder{
		db: db, opts: opts, key: key,
		ch: make(chan item, opts.Buffer), done: make(chan struct{}),
		mac: hmac.New(sha256.New, key), bursts: newBursts(burstWindow),
	}
	go r.loop()
	return r
}

// Click hands a click over for recording.
func (r *Recorder) Click(h Hit) error { return r.put(item{kind: kindClick, hit: h}) }

// Open hands an open over for recording.
func (r *Recorder) Open(h Hit) error { return r.put(item{kind: kindOpen, hit: h}) }

// Flush returns once every hit handed over before it is committed (or
// given up on, which is logged).
func (r *Recorder) Flush() {
	done := make(chan struct{})
	if r.put(item{kind: kindFlush, flush: done}) == nil {
		<-done
	}
}

// Close stops taking hits and returns once those buffered are written.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.ch)
	}
	r.mu.Unlock()
	<-r.done
	return nil
}

func (r *Recorder) put(it item) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return ErrClosed
	}
	select {
	case r.ch <- it:
		return nil
	default:
	}
	t := time.NewTimer(r.opts.MaxWait)
	defer t.Stop()
	select {
	case r.ch <- it:
		return nil
	case <-t.C:
		r.opts.Log.Error("click or open not recorded: the database is not keeping up", "waited", r.opts.MaxWait)
		return ErrBusy
	}
}

func (r *Recorder) loop() {
	defer close(r.done)
	batch := make([]item, 0, r.opts.MaxBatch)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	// Counts of link.clicked that came due with no click since go out
	// on this tick.
	var tick <-chan time.Time
	if r.opts.Events != nil {
		t := time.NewTicker(eventsTick)
		defer t.Stop()
		tick = t.C
	}
	for {
		var it item
		select {
		case <-tick:
			r.write(nil)
			continue
		case next, ok := <-r.ch:
			if !ok {
				r.closeEvents()
				return
			}
			it = next
		}
		batch = append(batch[:0], it)
		// Wait a little for more: the reader has been answered already,
		// and fewer, larger transactions leave the CPU to the requests.
		// A Flush or Close ends the wait.
		linger.Reset(r.opts.Linger)
		open := it.kind != kindFlush
	gather:
		for open && len(batch) < r.opts.MaxBatch {
			select {
			case it, ok := <-r.ch:
				if !ok {
					break gather
				}
				batch = append(batch, it)
				open = it.kind != kindFlush
			case <-linger.C:
				break gather
			}
		}
		linger.Stop()
		r.write(batch)
		for _, it := range batch {
			if it.kind == kindFlush {
				close(it.flush)
			}
		}
	}
}

// eventsTick is how often the writer looks for link.clicked counts due
// with no click since.
const eventsTick = 5 * time.Second

// write classifies a batch and commits it, trying twice more on failure
// before giving it up (logged): clicks are counts, not worth stopping
// the redirects for.
func (r *Recorder) write(batch []item) {
	r.rows = r.rows[:0]
	var retro []burstStart
	for _, it := range batch {
		if it.kind == kindFlush {
			continue
		}
		row, start := r.classify(it)
		r.rows = append(r.rows, row)
		if start != nil {
			retro = append(retro, *start)
		}
	}
	counts := linkCounts(r.rows)
	if len(r.rows) == 0 {
		if r.opts.Events != nil && r.opts.Events.due() {
			r.eventsOnly(false)
		}
		return
	}
	var err error
	for attempt, pause := 0, 50*time.Millisecond; attempt < 3; attempt, pause = attempt+1, pause*10 {
		if attempt > 0 {
			time.Sleep(pause)
		}
		err = r.db.Tx(context.Background(), func(tx *sql.Tx) error {
			if err := insertRows(tx, r.rows); err != nil {
				return err
			}
			back, err := flagBursts(tx, retro)
			if err != nil {
				return err
			}
			return r.eventsInTx(tx, append(slices.Clip(counts), back...), false)
		})
		r.eventsDone(err == nil)
		if err == nil {
			break
		}
		if len(r.rows) > 1 {
			// One bad hit (its campaign deleted since) fails only itself.
			err = r.writeOneByOne(retro)
			break
		}
	}
	if err != nil {
		r.opts.Log.Error("clicks and opens not recorded", "count", len(r.rows), "err", err)
		return
	}
	if r.opts.OnBatch != nil {
		r.opts.OnBatch(linkCounts(r.rows))
	}
}

// eventsInTx hands a batch's counts to Events in the batch's transaction.
func (r *Recorder) eventsInTx(tx *sql.Tx, counts []LinkCount, all bool) error {
	if r.opts.Events == nil {
		return nil
	}
	return r.opts.Events.inTx(context.Background(), tx, counts, all)
}

func (r *Recorder) eventsDone(committed bool) {
	if r.opts.Events != nil {
		r.opts.Events.done(committed)
	}
}

// eventsOnly emits the link.clicked events due (all of them when all is
// set) in a transaction of their own.
func (r *Recorder) eventsOnly(all bool) {
	err := r.db.Tx(context.Background(), func(tx *sql.Tx) error { return r.eventsInTx(tx, nil, all) })
	r.eventsDone(err == nil)
	if err != nil {
		r.opts.Log.Error("link.clicked not emitted", "err", err)
	}
}

// closeEvents emits every count still pending: a clean shutdown loses
// none.
func (r *Recorder) closeEvents() {
	if r.opts.Events != nil && len(r.opts.Events.pending) > 0 {
		r.eventsOnly(true)
	}
}

// writeOneByOne writes each row in its own transaction, logging and
// dropping those that fail.
func (r *Recorder) writeOneByOne(retro []burstStart) error {
	kept := r.rows[:0]
	for i := range r.rows {
		one := r.rows[i : i+1]
		if err := r.db.Tx(context.Background(), func(tx *sql.Tx) error { return insertRows(tx, one) }); err != nil {
			r.opts.Log.Error("click or open not recorded", "campaign", one[0].campaign, "err", err)
			continue
		}
		kept = append(kept, r.rows[i])
	}
	r.rows = kept
	err := r.db.Tx(context.Background(), func(tx *sql.Tx) error {
		back, err := flagBursts(tx, retro)
		if err != nil {
			return err
		}
		return r.eventsInTx(tx, append(linkCounts(kept), back...), false)
	})
	r.eventsDone(err == nil)
	return err
}
