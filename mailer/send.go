package mailer

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// A BatchSender sends many messages at once and returns one error per
// message, in order; like a Transport, it keeps none of their bytes once
// it returns. *SMTP is one; Batch adapts any Transport.
type BatchSender interface {
	SendBatch(ctx context.Context, msgs []Outgoing) []error
}

var _ BatchSender = (*SMTP)(nil)

// A PreClaimer is a Ledger that can also take over deliveries claimed when
// they were created (tasks.SendPayload.ClaimedUntil): while that claim is
// fresh, the sender only asks whether the campaign is stopped, a read,
// instead of claiming each chunk, a write.
type PreClaimer interface {
	Ledger
	// ClaimAgain returns those of ids still claimed until until, the
	// claim they were created with, and whether the campaign is stopped.
	// While that claim is fresh it only reads the campaign's status; once
	// it has run for a while (a slow, rate-limited pool) it claims anew,
	// like Claim, those still holding it, so that no claim runs out while
	// its message waits to be sent.
	ClaimAgain(ctx context.Context, campaignID int64, ids []int64, until time.Time) (claimed []int64, stopped bool, err error)
}

// A StopChecker is a Ledger that can also say, between claims, whether a
// campaign is stopped (paused or cancelled). A chunk's messages wait for
// the transport after their claim, for long under a rate limit (500 at
// one a second is eight minutes): the sender asks every StopEvery while
// a batch sends, and once the campaign is stopped hands none of them on.
// They are recorded as to be retried, which gives their claims back, so
// that a resumed campaign sends them.
type StopChecker interface {
	Stopped(ctx context.Context, campaignID int64) (bool, error)
}

// errStopped is the cause of a batch's context cancelled because its
// campaign was stopped; errDraining, because the sender is stopping
// (Drain).
var (
	errStopped  = errors.New("campaign stopped")
	errDraining = errors.New("worker stopping")
)

// A Ledger keeps a delivery from going out twice when a task runs twice:
// the primary claims rows in SQLite, a stateless worker keeps what it has
// done in Redis.
type Ledger interface {
	// Claim returns the delivery ids of rs, a chunk of batch p, that this
	// run may send now, and whether the campaign is stopped (paused or
	// cancelled). A delivery whose subscriber can no longer get mail is
	// recorded skipped instead, and not returned.
	Claim(ctx context.Context, p *tasks.SendPayload, rs []tasks.Recipient) (claimed []int64, stopped bool, err error)
	// Record stores the outcome of deliveries this run claimed.
	Record(ctx context.Context, campaignID int64, results []tasks.Result) error
}

// A Sender handles mail:send tasks: it composes each recipient's message
// from content rendered once and sends it, claiming deliveries before
// they go out and recording each one right after the server answers.
//
// Nothing waits on what it need not. A task claims its batch a chunk at a
// time (a batch serve's fan-out inserted already claimed only checks that
// the campaign still sends, see PreClaimer) and hands each message to the transport's stream (StreamSender),
// which all tasks share: the connections go from one task's messages to
// the next without a pause, and a task claims its next chunk while the
// last is still on the wire. Each outcome goes to a group commit that
// writes whatever arrived since its last write, every RecordEvery, in one
// Ledger.Record per campaign; so a message the server accepted is
// recorded within milliseconds, and a crash can send again only those in
// flight or accepted in those milliseconds; with a Journal, which keeps
// each result from the moment its reply is read, only those in flight.
// A task returns only once all its results are recorded, so asynq never
// forgets a task whose results are not written down.
type Sender struct {
	Batch  BatchSender // used as a StreamSender when it is one
	Ledger Ledger
	Chunk  int // deliveries per claim; default 250
	// Window bounds the messages handed to the transport and not yet
	// answered, across all tasks (default 1000): enough to keep every
	// connection fed while tasks claim, few enough that memory stays flat
	// and a pause stops sending soon.
	Window int
	// RecordEvery is the least time between two writes of results
	// (default 2 ms): a ledger write takes one transaction, or a Redis
	// round trip and a queued task, however many results it carries.
	RecordEvery time.Duration
	// RecordPatience is how long a write of results that fails for a
	// transient reason (Redis away, SQLite busy) is tried again before the
	// task returns with them unwritten (default 2 minutes): a Redis that
	// comes back within it costs no second copy.
	RecordPatience time.Duration
	Metrics        *Metrics
	Log            *slog.Logger
	// Signer, when set, DKIM-signs every message as it is composed.
	Signer Signer
	// Journal, when set, keeps each final result from the moment the
	// server's reply is read until the ledger has committed it, so that
	// a kill -9 sends again only the messages on the wire (see Journal).
	Journal *Journal
	// StopEvery is how often a batch's sending asks its Ledger, when it
	// is a StopChecker, whether the campaign was stopped (default 250
	// ms): a pause or a cancel then stops the messages not yet on the
	// wire within about that.
	StopEvery time.Duration
	// OnFrom, when set, is given the From header of each batch before its
	// messages go out. A worker, which reads no settings, says EHLO with
	// that address's domain: the From saved in the admin area reaches it
	// only this way.
	OnFrom func(from string)
	// Gate, when set, is the refusal gate the batches wait at, shared with
	// the process's other mail (confirmations, welcome mails: see
	// Gate.Transport); without it the sender has a gate of its own.
	Gate *Gate
	// GateWaiters is how many of its queue tasks wait at the gate at once
	// while the server refuses every message (default 4, for serve, whose
	// queue's workers run other tasks too); the others are handed back at
	// once. A worker's queue runs only batches: it lets every one wait.
	GateWaiters int

	journalOnce sync.Once // logs the journal's failure
	trouble     troubleLog
	gate        *refusalGate // holds batches back while the server refuses every message
	waiting     waiters      // the queue tasks waiting at the gate

	once      sync.Once
	stream    StreamSender
	window    *window
	rec       recorder
	drainOnce sync.Once
	draining  chan struct{} // closed by Drain
	// heldBatches are the batches ([campaign, batch]) whose run found
	// another's hold and logged it (takeBatch): logged once, not at each
	// of the task's reruns.
	heldBatches sync.Map
}

// Drain makes every batch sending hand no more messages to the
// transport: those not yet on the wire are recorded as to be retried,
// those on the wire get their answers and are recorded, and each task
// then returns an error, so that the queue runs it again (elsewhere, or
// after a restart) for the rest. A worker drains before it stops: asynq
// gives its tasks a few seconds, then hands them back while they still
// run, and the process's exit used to lose the results of the messages
// sent since, which the task's rerun sent again.
func (s *Sender) Drain() {
	s.init()
	s.drainOnce.Do(func() { close(s.draining) })
}

// Flushed waits until every result handed to the ledger is written (or
// given up on after RecordPatience), or ctx ends, and reports whether
// nothing was left. A worker stopping waits on it after asynq's shutdown,
// which gives up on a task still waiting for its results (Redis away):
// its process exiting then lost them, and the task's rerun sent their
// messages again.
func (s *Sender) Flushed(ctx context.Context) bool {
	s.init()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !s.rec.idle() {
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
	return true
}

// ProcessTask implements asynq.Handler.
func (s *Sender) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p tasks.SendPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("decode mail:send: %v: %w", err, asynq.SkipRetry)
	}
	cm, err := s.campaignMessage(p.Content)
	if err != nil {
		return fmt.Errorf("campaign %d: %v: %w", p.CampaignID, err, asynq.SkipRetry)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	return s.send(ctx, cm, &p, ok && retried >= maxRetry, true)
}

// Send sends a batch at once, outside the queue, under the same ledger:
// serve uses it for the batches of its own fan-out, so messages go out
// without waiting for a queue poll. The batch's task, when it runs, finds
// those deliveries done.
func (s *Sender) Send(ctx context.Context, p *tasks.SendPayload) error {
	cm, err := s.campaignMessage(p.Content)
	if err != nil {
		return err
	}
	return s.send(ctx, cm, p, false, false)
}

// campaignMessage composes a task's content once, to be signed by
// s.Signer when it is set.
func (s *Sender) campaignMessage(c tasks.Content) (*CampaignMessage, error) {
	if s.OnFrom != nil {
		s.OnFrom(c.From)
	}
	cm, err := newCampaignMessage(c)
	if err != nil {
		return nil, err
	}
	return cm, cm.setSigner(s.Signer)
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.stream = streamOf(s.Batch)
		s.window = newWindow(cmp.Or(max(s.Window, 0), 1000))
		s.rec.ledger = s.Ledger
		s.rec.journal = s.Journal
		s.rec.every = cmp.Or(s.RecordEvery, 2*time.Millisecond)
		s.rec.log = s.Log
		s.rec.patience = s.RecordPatience
		s.draining = make(chan struct{})
		s.gate = &refusalGate{log: s.Log}
		if s.Gate != nil {
			s.gate = &s.Gate.g
		}
		s.waiting.max = cmp.Or(max(s.GateWaiters, 0), gateWaiters)
	})
}

// send sends batch p, final on the task's last attempt. While the mail
// server refuses every message the batch waits at the gate (refusalGate),
// and once the gate lets it through it sends again what is left, in this
// run: by then what went out is recorded, and the run claims only what
// is still queued. queued says the run is a queue task's; one on its last
// attempt is counted among none of the waiters, as handing it back would
// end it.
func (s *Sender) send(ctx context.Context, cm *CampaignMessage, p *tasks.SendPayload, final, queued bool) error {
	s.init()
	var w *waiters
	if queued && !final {
		w = &s.waiting
	}
	for {
		run, err := s.gate.enter(ctx, w, s.draining, holdUntil(ctx, final))
		if err != nil {
			return s.heldBack(p, err)
		}
		err = s.sendOnce(ctx, cm, p, final, run)
		if !errors.Is(err, errRefusing) {
			return err
		}
		if !p.ClaimedUntil.IsZero() {
			// Claimed at fan-out, the rows not sent were given back or are
			// still claimed: the next run claims them as a task does, and
			// takes none that went out (a fresh claim is not looked at).
			again := *p
			again.ClaimedUntil = time.Time{}
			p = &again
		}
	}
}

// heldBack returns the error of batch p, which the gate kept from sending
// (err, from refusalGate.enter). The rows a fan-out claimed for it are
// given back first, so that its task can claim them when it runs.
func (s *Sender) heldBack(p *tasks.SendPayload, err error) error {
	if !p.ClaimedUntil.IsZero() && time.Until(p.ClaimedUntil) > time.Minute {
		t := &tally{}
		s.release(p, p.Recipients, err, t)
		t.wg.Wait()
	}
	if errors.Is(err, errDraining) {
		err = fmt.Errorf("%v: %w", errDraining, tasks.ErrHandedBack)
	}
	return fmt.Errorf("campaign %d batch %d: %w", p.CampaignID, p.Batch, err)
}

// sendOnce is one run of batch p (send), which holds the gate's probe
// when run.probe is set.
func (s *Sender) sendOnce(ctx context.Context, cm *CampaignMessage, p *tasks.SendPayload, final bool, run *gateRun) error {
	chunk := cmp.Or(max(s.Chunk, 0), 250)
	defer s.gate.leave(run) // a probe not sent goes to another run
	batch, err := s.takeBatch(ctx, p)
	if err != nil {
		return err
	}
	defer batch.letGo() // after unwatch: nothing of this run sends any more
	t := &tally{}
	// Before the watch: results held already would end the batch at once,
	// rather than after the wait for them to be written. Still held, the
	// batch sends nothing, and gives back its claims from the fan-out.
	err = s.waitHeld(ctx)
	sctx, lose, unwatch := s.watchStop(ctx, p.CampaignID, batch)
	defer unwatch() // after t.wg.Wait: every message's outcome is in
	s.gate.watch(run, lose)
	i := 0
	for ; err == nil && i < len(p.Recipients); i += chunk {
		// Each claim first renews the run's hold: a chunk another run
		// has taken over is not sent here too.
		if !batch.kept(sctx) {
			lose(errLost)
			break
		}
		var stopped bool
		stopped, err = s.sendChunk(sctx, cm, p, p.Recipients[i:min(i+chunk, len(p.Recipients))], final, t, run)
		if err != nil && stoppedBy(sctx) {
			err = nil // the claim's read was cut short by the stop
			break
		}
		if err != nil || stopped {
			break // the chunk at i was not sent
		}
		if stoppedBy(sctx) {
			i += chunk // sent, or recorded as to be retried
			break
		}
		if err = ctx.Err(); err != nil {
			i += chunk // sent, or recorded as not sent
			break
		}
	}
	if !p.ClaimedUntil.IsZero() && i < len(p.Recipients) && time.Until(p.ClaimedUntil) > time.Minute {
		s.release(p, p.Recipients[i:], err, t)
	}
	t.wg.Wait()
	switch {
	case errors.Is(context.Cause(sctx), errLost):
		// The other run sends the rest, and finds what went out here
		// done; this task, lost with Redis's data, has nothing left.
		if s.Log != nil {
			s.Log.Info("another run took this batch over after Redis lost its task; this one stopped sending it",
				"campaign", p.CampaignID, "batch", p.Batch)
		}
		return nil
	case errors.Is(context.Cause(sctx), errDraining):
		// Some of the batch may be left: the rerun sends it, and finds
		// what went out done.
		return fmt.Errorf("campaign %d batch %d: %v: %w", p.CampaignID, p.Batch, errDraining, tasks.ErrHandedBack)
	case errors.Is(context.Cause(sctx), ErrResultsHeld):
		return fmt.Errorf("campaign %d batch %d: %w", p.CampaignID, p.Batch, ErrResultsHeld)
	case errors.Is(context.Cause(sctx), errRefusing) || errors.Is(err, errRefusing):
		// The messages refused on the wire (t.temp) wait with the rest:
		// the server refuses them all, which is no fault of the batch.
		_, reply := s.gate.isClosed()
		return fmt.Errorf("campaign %d batch %d: %w", p.CampaignID, p.Batch, refusingError{reply})
	case err != nil:
		return err
	case t.err != nil:
		return fmt.Errorf("record results: %w", t.err)
	case t.temp > 0:
		return &RetryingError{CampaignID: p.CampaignID, Batch: p.Batch, Count: t.temp}
	}
	return nil
}

// A RetryingError is the error of a batch that went through, but for
// Count messages the server refused for now (a 4xx to their RCPT TO, a
// dropped connection): they are recorded to be retried and stay queued.
// A queue task returns it to be run again for them; a caller sending
// batches one after another (`bulletin digest run`) goes on with the next
// batch, the rest of its digest being no less deliverable.
type RetryingError struct {
	CampaignID, Batch int64
	Count             int
}

func (e *RetryingError) Error() string {
	return fmt.Sprintf("campaign %d batch %d: %d deliveries failed for now, retrying", e.CampaignID, e.Batch, e.Count)
}

// watchStop returns a context of ctx that ends, with errStopped as its
// cause, once the Ledger says campaign cid is stopped, asking every
// StopEvery, with errDraining once the sender drains, or with
// ErrResultsHeld once results are held (recorder.hold): the messages
// waiting for a connection or for the rate limit are then not sent, as
// for a pause, where they went on by the thousand while every write of
// their results failed; with errLost once another run holds the batch
// run held (its hold is renewed every StopEvery too); the function that
// ends it with a cause; and the function that ends the watch. A Ledger that
// cannot say, or that fails to, stops nothing: the next claim sees the
// stop.
func (s *Sender) watchStop(ctx context.Context, cid int64, run *batchRun) (context.Context, context.CancelCauseFunc, func()) {
	sc, _ := s.Ledger.(StopChecker)
	sctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	held := s.rec.heldSignal()
	// The drain is watched on its own: a read of the stop flag can take
	// a second while Redis is away (the client's retries), and the batch
	// went on sending meanwhile.
	go func() {
		select {
		case <-done:
		case <-sctx.Done():
		case <-s.draining:
			cancel(errDraining)
		case <-held:
			cancel(ErrResultsHeld)
		}
	}()
	if sc != nil || run != nil {
		go func() {
			tick := time.NewTicker(cmp.Or(s.StopEvery, 250*time.Millisecond))
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-sctx.Done():
					return
				case <-tick.C:
				}
				// Renewed this often, not once a lease (10 s): a run that
				// another took over stops within a tick, not after ten
				// seconds of sending what the other sends too.
				if !run.kept(sctx) {
					cancel(errLost)
					return
				}
				if sc == nil {
					continue
				}
				if stopped, err := sc.Stopped(sctx, cid); err == nil && stopped {
					cancel(errStopped)
					return
				}
			}
		}()
	}
	return sctx, cancel, func() {
		close(done)
		cancel(nil)
	}
}

// stoppedBy reports whether ctx ended because its campaign was stopped,
// the sender drains, results are held, another run took the batch or the
// mail server refuses every message (refusalGate).
func stoppedBy(ctx context.Context) bool {
	cause := context.Cause(ctx)
	return errors.Is(cause, errStopped) || errors.Is(cause, errDraining) || errors.Is(cause, ErrResultsHeld) ||
		errors.Is(cause, errLost) || errors.Is(cause, errRefusing)
}

// notSentReply is what a message not handed to the server records for
// cause: the server's latest refusal when it refuses every message, so
// that the campaign says what it waits on (a reply that starts "not
// sent:" is the process's own doing, which it does not show).
func (s *Sender) notSentReply(cause error) string {
	if errors.Is(cause, errRefusing) {
		if _, reply := s.gate.isClosed(); reply != "" {
			return reply
		}
	}
	return "not sent: " + cause.Error()
}

// Held returns how many results of messages sent are held unwritten
// (recorder.hold): a stop now would send their messages again after the
// restart, unless the journal keeps them.
func (s *Sender) Held() int {
	s.init()
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	return len(s.rec.heldIDs)
}

// release gives back the claims of pre-claimed deliveries that will not
// be sent now (the campaign stopped, or the chunk before failed), as
// results to be retried, so that a resumed campaign's task can claim them
// at once rather than once the claim ends. It is called only while the
// claim lasts, so the claims it clears are this run's.
func (s *Sender) release(p *tasks.SendPayload, rs []tasks.Recipient, cause error, t *tally) {
	reply := "not sent: campaign stopped"
	if cause != nil {
		reply = s.notSentReply(cause)
	}
	now := time.Now().UTC()
	for _, r := range rs {
		t.wg.Add(1)
		s.rec.add(p.CampaignID, tasks.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: tasks.ResultRetry, Reply: reply, At: now}, t, notJournaled)
	}
}

// claim returns the deliveries of rs this run may send now, and whether
// the campaign is stopped. Pre-claimed ones are this run's already, when
// the ledger knows them.
func (s *Sender) claim(ctx context.Context, p *tasks.SendPayload, rs []tasks.Recipient) ([]int64, bool, error) {
	if pc, ok := s.Ledger.(PreClaimer); ok && !p.ClaimedUntil.IsZero() {
		return pc.ClaimAgain(ctx, p.CampaignID, tasks.DeliveryIDs(rs), p.ClaimedUntil)
	}
	return s.Ledger.Claim(ctx, p, rs)
}

// sendChunk claims one chunk and hands its messages to the stream, each
// to be recorded once answered, taking room in the window for as many of
// them at once as fit. It reports whether the campaign is stopped; an
// error means nothing of the chunk was claimed, but for errRefusing: the
// mail server refuses every message, and the messages of the chunk not
// handed over are recorded as to be retried. A claimed message that ctx
// keeps from going out is recorded so too, which releases its claim.
// A run that holds the gate's probe (run.probe) hands over its first
// message alone, and the rest once the server has taken it.
func (s *Sender) sendChunk(ctx context.Context, cm *CampaignMessage, p *tasks.SendPayload, rs []tasks.Recipient, final bool, t *tally, run *gateRun) (bool, error) {
	cid := p.CampaignID
	if err := s.waitHeld(ctx); err != nil {
		return false, err
	}
	claimed, stopped, err := s.claim(ctx, p, rs)
	if err != nil || stopped {
		return stopped, err
	}
	// A rerun of a batch whose results are held (the write failed, the
	// task returned) does not send those again: they went out.
	if claimed = s.rec.unheld(claimed); len(claimed) == 0 {
		return false, nil
	}
	results, out := s.prepare(cm, p.CampaignID, rs, claimed)
	pending := results[:0:0]
	for _, r := range results {
		t.wg.Add(1)
		if r.Status != "" { // could not be composed
			s.settled(cid, r, t)
			continue
		}
		pending = append(pending, r)
	}
	for len(out) > 0 {
		k, probe := min(len(out), s.window.size), run.probe
		if probe {
			k = 1
		} else if closed, _ := s.gate.isClosed(); closed {
			s.notSent(cid, pending, errRefusing, t)
			return false, errRefusing
		}
		if err := s.window.acquire(ctx, k); err != nil {
			s.notSent(cid, pending, cmp.Or(context.Cause(ctx), err), t)
			break
		}
		if probe {
			s.gate.probeSent(run) // its answer ends the probe, maybe before handOver returns
		}
		for i, m := range out[:k] {
			s.handOver(ctx, cid, m, pending[i], final, t, probe)
		}
		out, pending = out[k:], pending[k:]
		if probe && !s.gate.probeDone(ctx) {
			if ctx.Err() != nil {
				s.notSent(cid, pending, context.Cause(ctx), t)
				break
			}
			if s.gate.retake(run) {
				continue // the probe was refused for its address alone: the next message probes
			}
			s.notSent(cid, pending, errRefusing, t)
			return false, errRefusing
		}
	}
	return false, nil
}

// waitHeld waits, while the results of messages sent before are held
// unwritten (recorder.hold), for them to be written, up to heldPatience;
// it returns ErrResultsHeld if they still are, and the chunk is not
// sent: whatever goes out while results cannot be written is sent again
// if the process ends before they are.
func (s *Sender) waitHeld(ctx context.Context) error {
	err := s.rec.blocked()
	if err == nil {
		return nil
	}
	deadline := time.Now().Add(heldPatience)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return err
		case <-tick.C:
		}
		if err = s.rec.blocked(); err == nil {
			return nil
		}
	}
	return err
}

// heldPatience is how long a chunk waits for held results to be written
// before its task returns, to run again with the queue's backoff.
var heldPatience = 30 * time.Second

// handOver gives m to the stream; r is its result, journaled as soon as
// the server has answered and then recorded, which gives its room in the
// window back. Its outcome goes to the gate, as the probe's when probe
// is set.
func (s *Sender) handOver(ctx context.Context, cid int64, m Outgoing, r tasks.Result, final bool, t *tally, probe bool) {
	start := time.Now()
	m.RelayID = &r.RelayID
	s.stream.SendAsync(ctx, m, func(err error) {
		s.window.release(1)
		s.Metrics.observe(time.Since(start))
		switch {
		case err != nil && errors.Is(err, context.Canceled) && stoppedBy(ctx):
			// Never handed to the server: it goes when the campaign
			// resumes, not as a failure of this task.
			r.Status, r.Reply, r.At = tasks.ResultRetry, s.notSentReply(context.Cause(ctx)), time.Now().UTC()
			s.gate.answered(ours, "", probe)
		case errors.Is(err, ErrStopping):
			// Nor this one: the pool drains, as the process stops.
			r.Status, r.Reply, r.At = tasks.ResultRetry, "not sent: "+ErrStopping.Error(), time.Now().UTC()
			s.gate.answered(ours, "", probe)
		case settle(&r, err, final):
			t.addTemp()
			s.gate.answeredTo(gateOutcome(err), m.To, r.Reply, probe)
		default:
			s.gate.answeredTo(gateOutcome(err), m.To, r.Reply, probe)
		}
		switch {
		case r.Status == tasks.ResultSent:
			s.trouble.took(s.Log, cid)
		case (r.Status == tasks.ResultRetry || r.Status == tasks.ResultFailed) && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrStopping):
			s.trouble.refused(s.Log, cid, r.Status, r.Reply) // not a stop of our own
		}
		f, err := s.Journal.add(cid, r)
		s.journalFailed(err)
		s.Metrics.count(r.Status)
		s.rec.add(cid, r, t, f)
	})
}

// journalFailed logs the first failure of the journal, after which the
// ledger alone records results.
func (s *Sender) journalFailed(err error) {
	if err == nil {
		return
	}
	s.journalOnce.Do(func() {
		if s.Log != nil {
			s.Log.Error("results journal off until restart: a kill -9 may send again what was accepted in the last milliseconds", "err", err)
		}
	})
}

// gateOutcome is the outcome of a message the server was asked to take
// and err, its send's error, as the gate counts it. A permanent error is
// its recipient's (bounced): the transport makes temporary a 5xx that
// refuses the sender, the relaying or the message itself
// (recipientRefused, messageRefused, mailFromError), and a 5xx that is
// left is the reader's bounce. A 4xx to its RCPT TO that refuses the
// address alone (SendError.rcpt) is deferred, which the gate counts by
// the address (refusalGate.answeredTo).
func gateOutcome(err error) outcome {
	var se *SendError
	switch {
	case err == nil:
		return taken
	case errors.Is(err, ErrPermanent):
		return bounced
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrStopping):
		return ours
	case errors.As(err, &se) && se.rcpt:
		return deferred
	}
	return refused
}

// notSent records claimed messages that ctx kept from going out as to be
// retried, which releases their claims.
func (s *Sender) notSent(cid int64, rs []tasks.Result, err error, t *tally) {
	now := time.Now().UTC()
	for _, r := range rs {
		r.Status, r.Reply, r.At = tasks.ResultRetry, s.notSentReply(err), now
		s.settled(cid, r, t)
	}
}

// settled counts r and queues it for the next write.
func (s *Sender) settled(cid int64, r tasks.Result, t *tally) {
	s.Metrics.count(r.Status)
	s.rec.add(cid, r, t, notJournaled)
}
