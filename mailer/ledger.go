package mailer

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// doneTTL is how long a worker remembers what it sent: far longer than a
// task's retries take, so the primary has long recorded the results.
const doneTTL = 7 * 24 * time.Hour

// A RedisLedger is the Ledger of a stateless worker. What it has finished
// is kept in a Redis hash per campaign (delivery id → result), written
// right after the SMTP server answers and before the results are queued
// for the primary; a rerun of the task skips those ids and reports their
// results again, so neither a message nor its record is lost or doubled.
// A delivery whose subscriber the primary has since recorded as gone
// (tasks.GoneKey: unsubscribed, erased, bounced, no list left) or as
// having left every list of its campaign (tasks.LeftKey) is skipped, as
// the primary's own ledger skips it in SQLite.
//
// A write of final results is kept until the primary has run its task,
// and written again if Redis loses it first (see pendingWrites).
type RedisLedger struct {
	Redis    redis.UniversalClient
	Enqueuer tasks.Enqueuer
	Log      *slog.Logger // may be nil

	w pendingWrites
}

var (
	_ Ledger      = (*RedisLedger)(nil)
	_ StopChecker = (*RedisLedger)(nil)
)

// Claim implements Ledger. One pipeline reads the campaign's stop flag,
// which deliveries of rs are done, and which of their subscribers left,
// everything or the campaign's lists, after the batch was read
// (tasks.GoneKey and tasks.LeftKey, the primary's record of what its own
// ledger reads in SQLite). The results of done deliveries are queued
// again; those of subscribers who left are remembered and queued as
// skipped, never sent; the rest are claimed.
func (l *RedisLedger) Claim(ctx context.Context, p *tasks.SendPayload, rs []tasks.Recipient) ([]int64, bool, error) {
	c, err := l.read(ctx, p.CampaignID, rs)
	if err != nil {
		return nil, false, fmt.Errorf("claim: %w", err)
	}
	// Results this worker wrote and Redis lost go back into the done hash
	// before a delivery is claimed: read again, they are not sent twice.
	if lost, err := l.markLost(ctx, c.mark); err != nil {
		return nil, false, fmt.Errorf("claim: %w", err)
	} else if lost {
		if c, err = l.read(ctx, p.CampaignID, rs); err != nil {
			return nil, false, fmt.Errorf("claim: %w", err)
		}
	}
	if c.stop.Val() > 0 {
		return nil, true, nil
	}
	claimed, again, skipped := c.sort(p, rs)
	if len(skipped) > 0 {
		if err := l.remember(ctx, p.CampaignID, skipped); err != nil {
			return nil, false, err
		}
		again = append(again, skipped...)
	}
	if len(again) > 0 {
		if err := l.enqueue(ctx, p.CampaignID, again); err != nil {
			return nil, false, err
		}
	}
	return claimed, false, nil
}

// Stopped implements StopChecker: the primary has set the campaign's
// stop flag (tasks.StopKey), which it does when it pauses or cancels it.
func (l *RedisLedger) Stopped(ctx context.Context, campaignID int64) (bool, error) {
	n, err := l.Redis.Exists(ctx, tasks.StopKey(campaignID)).Result()
	if err != nil {
		return false, fmt.Errorf("read the stop flag: %w", err)
	}
	return n > 0, nil
}

// A chunkState is what Claim's pipeline read about a chunk: the stop
// flag, the results done (one per recipient, nil when not done) and when
// each recipient's subscriber left everything (gone) and the campaign's
// lists (left), one score per recipient, 0 when they did not (see
// leftSince), and the ledger's mark (see pendingWrites).
type chunkState struct {
	stop       *redis.IntCmd
	done       *redis.SliceCmd
	gone, left *redis.FloatSliceCmd
	mark       *redis.StringCmd
}

// read runs Claim's pipeline for the recipients rs of campaign cid. The
// departures are read with one ZMSCORE a set for the whole chunk (Redis
// 6.2 and newer), not a ZSCORE a recipient and set: a chunk of 500 was
// 1,000 commands for Redis to run and answer.
func (l *RedisLedger) read(ctx context.Context, cid int64, rs []tasks.Recipient) (*chunkState, error) {
	fields := make([]string, len(rs))
	sids := make([]string, len(rs))
	for i, r := range rs {
		fields[i] = strconv.FormatInt(r.DeliveryID, 10)
		sids[i] = strconv.FormatInt(r.SubscriberID, 10)
	}
	pipe := l.Redis.Pipeline()
	c := &chunkState{
		stop: pipe.Exists(ctx, tasks.StopKey(cid)),
		done: pipe.HMGet(ctx, tasks.DoneKey(cid), fields...),
		gone: pipe.ZMScore(ctx, tasks.GoneKey, sids...),
		left: pipe.ZMScore(ctx, tasks.LeftKey(cid), sids...),
		mark: pipe.Get(ctx, l.markKey()),
	}
	// None of these commands but GET reports a missing key, field or
	// member as an error (HMGET and ZMSCORE answer nil in its place, which
	// go-redis reads as nil and 0), so any other error Exec returns, its
	// own or the first of a command's, is a real one and fails the claim.
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	return c, nil
}

// sort splits rs, a chunk of p, into the delivery ids to claim, the
// results of those done already, and the skipped results of those whose
// subscriber left, everything or the campaign's lists, at or after
// p.Since, when the batch was read from the rows: one who left before and
// is in the batch came back. One who left after it and came back is in
// neither set any more (the primary drops them).
func (c *chunkState) sort(p *tasks.SendPayload, rs []tasks.Recipient) (claimed []int64, again, skipped []tasks.Result) {
	since := float64(p.Since.UnixMilli())
	gone, left := c.gone.Val(), c.left.Val()
	now := time.Now().UTC()
	for i, v := range c.done.Val() {
		if s, ok := v.(string); ok {
			var r tasks.Result
			// A result of another subscriber is not this delivery's: a
			// database restored from a backup can give a delivery made
			// after it the id one had before, for another reader, whom
			// that result would have left without the campaign.
			if json.Unmarshal([]byte(s), &r) == nil && r.SubscriberID == rs[i].SubscriberID {
				again = append(again, r)
				continue
			}
		}
		if leftSince(gone[i], since) || leftSince(left[i], since) {
			skipped = append(skipped, tasks.Result{DeliveryID: rs[i].DeliveryID, SubscriberID: rs[i].SubscriberID, Status: tasks.ResultSkipped, At: now})
			continue
		}
		claimed = append(claimed, rs[i].DeliveryID)
	}
	return claimed, again, skipped
}

// leftSince reports whether score, a subscriber's in a sorted set of
// departures, says they left at or after since, in Unix milliseconds.
// go-redis reads ZMSCORE's nil for a subscriber not in the set as 0, and
// since is far below 0 for a task queued before batches carried it (the
// zero time): 0 must mean "not in the set". It never is a real score,
// which is when the primary saw them leave in Unix milliseconds (and a
// write drops the scores older than tasks.GoneFor).
func leftSince(score, since float64) bool {
	return score != 0 && score >= since
}

// Record implements Ledger: final results are remembered first, then
// queued for the primary. Temporary failures are only queued, so a retry
// sends them again.
func (l *RedisLedger) Record(ctx context.Context, campaignID int64, results []tasks.Result) error {
	if err := l.remember(ctx, campaignID, results); err != nil {
		return err
	}
	return l.enqueue(ctx, campaignID, results)
}

// remember writes the final results among results to the campaign's done
// hash, so that a rerun of the task neither sends those deliveries nor
// loses their results.
func (l *RedisLedger) remember(ctx context.Context, campaignID int64, results []tasks.Result) error {
	var vals []any
	for _, r := range results {
		if r.Status == tasks.ResultRetry {
			continue
		}
		buf, _ := json.Marshal(r)
		vals = append(vals, strconv.FormatInt(r.DeliveryID, 10), string(buf))
	}
	if len(vals) == 0 {
		return nil
	}
	key := tasks.DoneKey(campaignID)
	pipe := l.Redis.TxPipeline()
	pipe.HSet(ctx, key, vals...)
	pipe.Expire(ctx, key, doneTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("remember results: %w", err)
	}
	return nil
}

// enqueue queues results for the primary, and keeps the final ones until
// it has recorded them (kept).
func (l *RedisLedger) enqueue(ctx context.Context, campaignID int64, results []tasks.Result) error {
	info, err := l.enqueueTask(ctx, campaignID, results)
	if err != nil {
		return err
	}
	if f := final(results); len(f) > 0 {
		return l.kept(ctx, campaignID, f, info)
	}
	return nil
}

// enqueueTask queues a delivery:record task of results, with an id of its
// own, by which the ledger finds out when the primary has run it.
func (l *RedisLedger) enqueueTask(ctx context.Context, campaignID int64, results []tasks.Result) (*asynq.TaskInfo, error) {
	t, opts, err := tasks.NewRecordTask(&tasks.RecordPayload{CampaignID: campaignID, Results: results})
	if err != nil {
		return nil, err
	}
	info, err := l.Enqueuer.EnqueueContext(ctx, t, append(opts, asynq.TaskID(rand.Text()))...)
	if err != nil {
		return nil, fmt.Errorf("queue results: %w", err)
	}
	return info, nil
}

// A recorder writes results by group commit: whatever arrived, from any
// task, since the last write goes in the next one, one Ledger.Record per
// campaign, at most every few milliseconds. SQLite then commits once for
// many results, and a worker queues one delivery:record task for them,
// while no result waits longer than a write and its pause.
type recorder struct {
	ledger  Ledger
	journal *Journal // told what is committed; may be nil
	every   time.Duration
	// patience is how long a write that fails is tried again (default
	// recordPatience) before its results count as not written.
	patience time.Duration
	log      *slog.Logger // may be nil
	mu       sync.Mutex
	next     map[int64][]entry // filling while the writer works
	writing  bool
	// held are the final results whose write failed for a reason that
	// passes with time (a full disk, Redis away for longer than
	// patience), kept to be written again, by campaign; heldIDs their
	// delivery ids, heldErr the failure. While any is held the sender
	// sends nothing (blocked), and a rerun of their task does not send
	// them again (unheld). They used to be dropped with the task's error:
	// a disk that filled mid-campaign left thousands of messages the
	// server had accepted unrecorded, and the reconciler sent them all
	// again once it had room.
	held     map[int64][]entry
	heldIDs  map[int64]bool
	heldErr  error
	heldWait time.Duration // before the next try; doubles to heldWaitMax
	retrying bool          // a try of the held is scheduled
	holding  bool          // results are held (logged once, until none is)
	// heldCh is closed when results start to be held, and made anew
	// when none is left (heldSignal).
	heldCh chan struct{}
}

// An entry is a result waiting to be written, the tally of its task, and
// the journal's file that holds it.
type entry struct {
	r tasks.Result
	t *tally
	j journaled
}

// A tally follows the results of one task until they are written.
type tally struct {
	wg   sync.WaitGroup // one per result, done when written
	mu   sync.Mutex
	temp int   // results to be retried
	err  error // the first failed write
}

func (t *tally) addTemp() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.temp++
}

func (t *tally) written(err error) {
	if t == nil { // a held result written again: its task has returned
		return
	}
	if err != nil {
		t.mu.Lock()
		if t.err == nil {
			t.err = err
		}
		t.mu.Unlock()
	}
	t.wg.Done()
}

// add queues result r of campaign cid, journaled in j, for the next
// write, starting a writer when none runs; t hears when it is written.
func (r *recorder) add(cid int64, res tasks.Result, t *tally, j journaled) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next == nil {
		r.next = map[int64][]entry{}
	}
	r.next[cid] = append(r.next[cid], entry{res, t, j})
	if !r.writing {
		r.writing = true
		go r.write()
	}
}

// idle reports whether no result waits to be written.
func (r *recorder) idle() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.writing && len(r.next) == 0 && len(r.held) == 0
}

// write writes what has arrived until nothing has. Its context is its
// own: what went out must be written down even when the task that sent it
// ended.
func (r *recorder) write() {
	for {
		r.mu.Lock()
		batch := r.next
		r.next = nil
		if len(batch) == 0 {
			r.writing = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		start := time.Now()
		for cid, es := range batch {
			results := make([]tasks.Result, len(es))
			for i, e := range es {
				results[i] = e.r
			}
			err := r.record(cid, sameTime(results))
			if err != nil && lasting(err) {
				// Neither committed nor lost for the journal: its file
				// keeps them until they are written, or for the next
				// start's Replay.
				r.hold(cid, es, err)
				continue
			}
			r.unhold(es, err)
			// The journal hears first: a task that returns once its
			// results are written may be the last before serve closes
			// the journal, which empties only what it knows committed.
			var inFile [2]int
			for _, e := range es {
				if e.j != notJournaled {
					inFile[e.j]++
				}
			}
			for f, n := range inFile {
				if err != nil && n > 0 {
					r.journal.failed(journaled(f))
				}
				r.journal.committed(journaled(f), n)
			}
			for _, e := range es {
				e.t.written(err)
			}
		}
		time.Sleep(r.every - time.Since(start))
	}
}

// hold keeps the results es of campaign cid, whose write failed with
// err, to be written again after heldWait, and tells their tasks of the
// failure. Those to be retried are kept too: their write gives back the
// claims of messages not sent, which the batch's rerun then takes at once
// rather than when they run out.
func (r *recorder) hold(cid int64, es []entry, err error) {
	kept := make([]entry, len(es))
	for i, e := range es {
		kept[i] = entry{r: e.r, j: e.j}
		e.t.written(fmt.Errorf("%w: %v", ErrResultsHeld, err)) // the task returns; its rerun finds these held
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held == nil {
		r.held, r.heldIDs = map[int64][]entry{}, map[int64]bool{}
	}
	if !r.holding {
		r.holding, r.heldWait = true, heldWaitMin
		if r.heldCh == nil {
			r.heldCh = make(chan struct{})
		}
		close(r.heldCh)
		if r.log != nil {
			r.log.Warn("cannot write the results of messages sent; they are kept to be written again, and no more mail goes out until they are",
				"campaign", cid, "results", len(kept), "err", err)
		}
	}
	r.held[cid] = append(r.held[cid], kept...)
	for _, e := range kept {
		if e.r.Status != tasks.ResultRetry {
			r.heldIDs[e.r.DeliveryID] = true
		}
	}
	r.heldErr = err
	if !r.retrying {
		r.retrying = true
		time.AfterFunc(r.heldWait, r.retryHeld)
	}
}

// retryHeld hands the results held to the writer again; a write that
// fails again holds them again (hold), after a longer wait.
func (r *recorder) retryHeld() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retrying = false
	if len(r.held) == 0 {
		return
	}
	if r.next == nil {
		r.next = map[int64][]entry{}
	}
	for cid, es := range r.held {
		r.next[cid] = append(r.next[cid], es...)
	}
	r.held = map[int64][]entry{}
	if !r.writing {
		r.writing = true
		go r.write()
	}
	r.heldWait = min(2*r.heldWait, heldWaitMax)
}

// unhold forgets the delivery ids of es as held: written (err nil), or
// given up on for a fault that does not pass (err). Once none is left,
// sending goes on.
func (r *recorder) unhold(es []entry, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.holding {
		return
	}
	for _, e := range es {
		delete(r.heldIDs, e.r.DeliveryID)
	}
	if len(r.heldIDs) == 0 && len(r.held) == 0 {
		r.holding, r.heldErr, r.heldCh = false, nil, nil
		if r.log != nil && err == nil {
			r.log.Info("the results kept are written; mail goes out again")
		}
	}
}

// heldSignal returns a channel closed once results are held: at once
// while they are.
func (r *recorder) heldSignal() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.heldCh == nil {
		r.heldCh = make(chan struct{})
	}
	return r.heldCh
}

// blocked returns, while results are held, an error saying so
// (ErrResultsHeld), and nil otherwise.
func (r *recorder) blocked() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.holding {
		return nil
	}
	return fmt.Errorf("%w: %v", ErrResultsHeld, r.heldErr)
}

// unheld returns ids less those whose results are held: their messages
// went out, and their results will be written.
func (r *recorder) unheld(ids []int64) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.heldIDs) == 0 {
		return ids
	}
	out := ids[:0:0]
	for _, id := range ids {
		if !r.heldIDs[id] {
			out = append(out, id)
		}
	}
	return out
}

// ErrResultsHeld is the error of a batch not sent because the results
// of messages sent before could not be written yet (see recorder.hold).
var ErrResultsHeld = errors.New("the results of messages sent cannot be written yet")

// heldWaitMin and heldWaitMax bound the wait between two writes of the
// results held.
var (
	heldWaitMin = time.Second
	heldWaitMax = 10 * time.Second
)

// lasting reports whether a failed write of results failed for a reason
// that passes with time, though not within a write's patience: a full
// disk, a file system made read-only, Redis out of memory, and whatever
// transient reports. Results are held for those (recorder.hold); a fault
// that comes again at every write (a constraint, a database closed as
// serve stops) is not waited on.
func lasting(err error) bool {
	if transient(err) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"database or disk is full", "disk I/O error", "readonly database",
		"no space left on device", "OOM command not allowed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// recordPatience is how long a write of results that fails for a while
// (transient) is tried again: longer than a Redis takes to restart or fail
// over, and well within the 5 minutes a claim in SQLite lasts, after which
// the deliveries of those results would be claimed and sent again.
const recordPatience = 2 * time.Minute

// transient reports whether a failed write of results may well work if
// tried again soon: the network to Redis, a Redis loading its data or
// failing over, SQLite busy. Any other error (a constraint, a database
// closed) comes again, and its retries would only hold up the results of
// the other campaigns, which the one writer writes after it.
func transient(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	// asynq's client keeps only the text of a network error it met
	// ("queue results: UNKNOWN: redis eval error: EOF").
	msg := err.Error()
	if strings.HasSuffix(msg, "EOF") {
		return true
	}
	for _, s := range []string{"LOADING", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "connection refused",
		"connection reset", "broken pipe", "i/o timeout", "use of closed network connection",
		"database is locked", "database table is locked"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// record writes results of campaign cid, trying again while the ledger
// fails for a transient reason, for up to r.patience. What went out must be written down: a
// worker whose Redis restarted under it used to return its task with the
// results of the messages it sent meanwhile unwritten, and the task's
// rerun sent them all again (hundreds, for a restart of seconds). The
// task now waits for its results, as it does for a slow write; the
// chunks after them are not claimed while the ledger cannot be read.
func (r *recorder) record(cid int64, results []tasks.Result) error {
	deadline := time.Now().Add(cmp.Or(r.patience, recordPatience))
	wait := 50 * time.Millisecond
	for tries := 1; ; tries++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := r.ledger.Record(ctx, cid, results)
		cancel()
		switch {
		case err == nil:
			if tries > 1 && r.log != nil {
				r.log.Info("results written after the ledger came back", "campaign", cid, "results", len(results), "tries", tries)
			}
			return nil
		case !transient(err) || time.Now().Add(wait).After(deadline):
			return err
		case tries == 1 && r.log != nil:
			r.log.Warn("cannot write the results of messages sent; trying again until it can", "campaign", cid, "results", len(results), "err", err)
		}
		time.Sleep(wait)
		wait = min(2*wait, 2*time.Second)
	}
}

// sameTime gives the plain sent results of one write the time of the
// last of them, milliseconds apart at most, so that the ledger can mark
// them all in one statement.
func sameTime(results []tasks.Result) []tasks.Result {
	var last time.Time
	for _, r := range results {
		if r.Status == tasks.ResultSent && r.Reply == "" && r.At.After(last) {
			last = r.At
		}
	}
	for i := range results {
		if results[i].Status == tasks.ResultSent && results[i].Reply == "" {
			results[i].At = last
		}
	}
	return results
}
