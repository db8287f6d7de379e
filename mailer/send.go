package mailer

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// A BatchSender sends many messages at once and returns one error per
// message, in order. *SMTP is one; Batch adapts any Transport.
type BatchSender interface {
	SendBatch(ctx context.Context, msgs []Outgoing) []error
}

var _ BatchSender = (*SMTP)(nil)

// A Ledger keeps a delivery from going out twice when a task runs twice:
// the primary claims rows in SQLite, a stateless worker keeps what it has
// done in Redis.
type Ledger interface {
	// Claim returns the ids of the batch this run may send now, and whether
	// the campaign is stopped (paused or cancelled).
	Claim(ctx context.Context, campaignID int64, ids []int64) (claimed []int64, stopped bool, err error)
	// Record stores the outcome of deliveries this run claimed.
	Record(ctx context.Context, campaignID int64, results []tasks.Result) error
}

// A Sender handles mail:send tasks: it composes each recipient's message
// from content rendered once and sends it, claiming deliveries before
// they go out and recording each one right after the server answers.
//
// Nothing waits on what it need not. A task claims its batch a chunk at a
// time and hands each message to the transport's stream (StreamSender),
// which all tasks share: the connections go from one task's messages to
// the next without a pause, and a task claims its next chunk while the
// last is still on the wire. Each outcome goes to a group commit that
// writes whatever arrived since its last write, every RecordEvery, in one
// Ledger.Record per campaign; so a message the server accepted is
// recorded within milliseconds, and a crash can send again only those in
// flight or accepted in those milliseconds. A task returns only once all
// its results are recorded, so asynq never forgets a task whose results
// are not written down.
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
	Metrics     *Metrics
	Log         *slog.Logger

	once   sync.Once
	stream StreamSender
	window chan struct{}
	rec    recorder
}

// ProcessTask implements asynq.Handler.
func (s *Sender) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p tasks.SendPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("decode mail:send: %v: %w", err, asynq.SkipRetry)
	}
	cm, err := newCampaignMessage(p.Content)
	if err != nil {
		return fmt.Errorf("campaign %d: %v: %w", p.CampaignID, err, asynq.SkipRetry)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	return s.send(ctx, cm, &p, ok && retried >= maxRetry)
}

// Send sends a batch at once, outside the queue, under the same ledger:
// serve uses it for the batches of its own fan-out, so messages go out
// without waiting for a queue poll. The batch's task, when it runs, finds
// those deliveries done.
func (s *Sender) Send(ctx context.Context, p *tasks.SendPayload) error {
	cm, err := newCampaignMessage(p.Content)
	if err != nil {
		return err
	}
	return s.send(ctx, cm, p, false)
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.stream = streamOf(s.Batch)
		s.window = make(chan struct{}, cmp.Or(s.Window, 1000))
		s.rec.ledger = s.Ledger
		s.rec.every = cmp.Or(s.RecordEvery, 2*time.Millisecond)
	})
}

func (s *Sender) send(ctx context.Context, cm *CampaignMessage, p *tasks.SendPayload, final bool) error {
	s.init()
	chunk := cmp.Or(max(s.Chunk, 0), 250)
	t := &tally{}
	var err error
	for i := 0; i < len(p.Recipients); i += chunk {
		var stopped bool
		stopped, err = s.sendChunk(ctx, cm, p.CampaignID, p.Recipients[i:min(i+chunk, len(p.Recipients))], final, t)
		if err != nil || stopped {
			break
		}
	}
	t.wg.Wait()
	switch {
	case err != nil:
		return err
	case t.err != nil:
		return fmt.Errorf("record results: %w", t.err)
	case t.temp > 0:
		return fmt.Errorf("campaign %d batch %d: %d deliveries failed for now, retrying", p.CampaignID, p.Batch, t.temp)
	}
	return nil
}

// sendChunk claims one chunk and hands its messages to the stream, each
// to be recorded once answered. It reports whether the campaign is
// stopped. A claimed message that ctx keeps from going out is recorded
// as to be retried, which releases its claim.
func (s *Sender) sendChunk(ctx context.Context, cm *CampaignMessage, cid int64, rs []tasks.Recipient, final bool, t *tally) (bool, error) {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.DeliveryID
	}
	claimed, stopped, err := s.Ledger.Claim(ctx, cid, ids)
	if err != nil || stopped || len(claimed) == 0 {
		return stopped, err
	}
	results, out := s.prepare(cm, rs, claimed)
	for i := range results {
		t.wg.Add(1)
		if results[i].Status != "" { // could not be composed
			s.settled(cid, results[i], t)
			continue
		}
		m := out[0]
		out = out[1:]
		select {
		case s.window <- struct{}{}:
		case <-ctx.Done():
			results[i].Status, results[i].Reply, results[i].At = tasks.ResultRetry, "not sent: "+ctx.Err().Error(), time.Now().UTC()
			s.settled(cid, results[i], t)
			continue
		}
		r, start := results[i], time.Now()
		s.stream.SendAsync(ctx, m, func(err error) {
			<-s.window
			s.Metrics.observe(time.Since(start))
			if settle(&r, err, final) {
				t.addTemp()
			}
			s.settled(cid, r, t)
		})
	}
	return false, ctx.Err()
}

// settled counts r and queues it for the next write.
func (s *Sender) settled(cid int64, r tasks.Result, t *tally) {
	s.Metrics.count(r.Status)
	s.rec.add(cid, r, t)
}

// prepare returns the results and messages of the claimed recipients of
// rs. A recipient whose fields cannot be composed fails at once and has
// no message; the others' results are settled once they are sent.
func (s *Sender) prepare(cm *CampaignMessage, rs []tasks.Recipient, claimed []int64) ([]tasks.Result, []Outgoing) {
	mine := make(map[int64]bool, len(claimed))
	for _, id := range claimed {
		mine[id] = true
	}
	results := make([]tasks.Result, 0, len(claimed))
	out := make([]Outgoing, 0, len(claimed))
	for _, r := range rs {
		if !mine[r.DeliveryID] {
			continue
		}
		p := Personal{Email: r.Email, Name: r.Name, Unsubscribe: r.Unsubscribe, Preferences: r.Preferences}
		if err := cm.Check(p); err != nil {
			results = append(results, tasks.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: tasks.ResultFailed, Reply: err.Error(), At: time.Now().UTC()})
			continue
		}
		results = append(results, tasks.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID})
		out = append(out, Outgoing{From: cm.From(), To: r.Email, Body: cm.For(p)})
	}
	return results, out
}

// settle fills in the status of a result from its send error: accepted is
// sent, a 5xx is bounced, anything else is retried, or failed on the final
// attempt. It reports whether the delivery is to be retried.
func settle(r *tasks.Result, err error, final bool) bool {
	r.At = time.Now().UTC()
	switch {
	case err == nil:
		r.Status = tasks.ResultSent
	case errors.Is(err, ErrPermanent):
		r.Status, r.Reply = tasks.ResultBounced, err.Error()
	case final:
		r.Status, r.Reply = tasks.ResultFailed, err.Error()
	default:
		r.Status, r.Reply = tasks.ResultRetry, err.Error()
		return true
	}
	return false
}

// newCampaignMessage composes a task's content once, with the list
// headers of SPEC §4.
func newCampaignMessage(c tasks.Content) (*CampaignMessage, error) {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", c.From, err)
	}
	return NewCampaignMessage(CampaignContent{
		From:    from,
		Subject: c.Subject,
		HTML:    c.HTML,
		Text:    c.Text,
		Date:    time.Now(),
		Headers: [][2]string{
			{"List-Unsubscribe", "<" + c.BaseURL + "/unsubscribe/" + FieldUnsubscribe + ">"},
			{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
			{"List-Id", c.ListID},
		},
	})
}

// SendNow composes and sends a batch at once over t, outside the queue and
// its ledger: for test sends, which no delivery row records.
func SendNow(ctx context.Context, t Transport, p *tasks.SendPayload) error {
	cm, err := newCampaignMessage(p.Content)
	if err != nil {
		return err
	}
	for _, r := range p.Recipients {
		data, err := cm.Compose(nil, Personal{Email: r.Email, Name: r.Name, Unsubscribe: r.Unsubscribe, Preferences: r.Preferences})
		if err != nil {
			return err
		}
		if err := t.Send(ctx, cm.From(), []string{r.Email}, data); err != nil {
			return fmt.Errorf("send to %s: %w", r.Email, err)
		}
	}
	return nil
}
