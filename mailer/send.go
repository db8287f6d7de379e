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
// from content rendered once and sends them in chunks, claiming each chunk
// before it goes out and recording it after.
//
// The work of a chunk is split so that nothing waits on what it need not:
// messages are composed by the connection that sends them, at that
// moment; results are written by a group commit that takes every chunk
// finished meanwhile, from any task, in one Ledger.Record per campaign,
// while the task claims and sends its next chunk. A task returns only once
// all its results are recorded, so asynq never forgets a task whose
// results are not written down.
type Sender struct {
	Batch  BatchSender
	Ledger Ledger
	Chunk  int // messages per claim and send; default 250
	// MaxChunks bounds the chunks claimed and in flight at once across all
	// tasks (default 4): enough that the pool of pipelined connections
	// always has a next chunk while one ends, few enough that a pause
	// stops sending soon and a crash leaves little claimed.
	MaxChunks int
	Metrics   *Metrics
	Log       *slog.Logger

	once  sync.Once
	slots chan struct{}
	rec   recorder
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
// serve uses it for a campaign's first batch, so the first message goes
// out without waiting for a queue poll. The batch's task, when it runs,
// finds those deliveries done.
func (s *Sender) Send(ctx context.Context, p *tasks.SendPayload) error {
	cm, err := newCampaignMessage(p.Content)
	if err != nil {
		return err
	}
	return s.send(ctx, cm, p, false)
}

func (s *Sender) send(ctx context.Context, cm *CampaignMessage, p *tasks.SendPayload, final bool) error {
	s.once.Do(func() {
		s.slots = make(chan struct{}, cmp.Or(s.MaxChunks, 4))
		s.rec.ledger = s.Ledger
	})
	chunk := s.Chunk
	if chunk <= 0 {
		chunk = 250
	}
	var pending []*recordBatch
	var temp int
	var err error
	for i := 0; i < len(p.Recipients) && err == nil; i += chunk {
		var results []tasks.Result
		var n int
		var stopped bool
		results, n, stopped, err = s.sendChunk(ctx, cm, p.CampaignID, p.Recipients[i:min(i+chunk, len(p.Recipients))], final)
		if len(results) > 0 {
			pending = append(pending, s.rec.add(p.CampaignID, results))
		}
		temp += n
		if stopped {
			break
		}
	}
	for _, b := range pending {
		if rerr := b.wait(p.CampaignID); rerr != nil && err == nil {
			err = fmt.Errorf("record results: %w", rerr)
		}
	}
	if err == nil && temp > 0 {
		err = fmt.Errorf("campaign %d batch %d: %d deliveries failed for now, retrying", p.CampaignID, p.Batch, temp)
	}
	return err
}

// sendChunk claims and sends one chunk and returns its results, to be
// recorded, and how many failed temporarily. It returns what went out even
// when ctx ends meanwhile.
func (s *Sender) sendChunk(ctx context.Context, cm *CampaignMessage, cid int64, rs []tasks.Recipient, final bool) ([]tasks.Result, int, bool, error) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return nil, 0, false, ctx.Err()
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.DeliveryID
	}
	claimed, stopped, err := s.Ledger.Claim(ctx, cid, ids)
	if err != nil || stopped || len(claimed) == 0 {
		return nil, 0, stopped, err
	}
	results, out := s.prepare(cm, rs, claimed)
	start := time.Now()
	errs := s.Batch.SendBatch(ctx, out)
	s.Metrics.observeBatch(len(out), time.Since(start))
	temp := settleResults(results, errs, final)
	s.Metrics.count(results)
	return results, temp, false, ctx.Err()
}

// prepare returns the results and messages of the claimed recipients of
// rs. A recipient whose fields cannot be composed fails at once; the
// others' results are settled once they are sent.
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

// settleResults fills in the status of the results that were sent, from errs in
// order: accepted is sent, a 5xx is bounced, anything else is retried, or
// failed on the final attempt. It returns how many are to be retried.
func settleResults(results []tasks.Result, errs []error, final bool) int {
	temp, j := 0, 0
	now := time.Now().UTC()
	for i := range results {
		if results[i].Status != "" {
			continue
		}
		err := errs[j]
		j++
		results[i].At = now
		switch {
		case err == nil:
			results[i].Status = tasks.ResultSent
		case errors.Is(err, ErrPermanent):
			results[i].Status, results[i].Reply = tasks.ResultBounced, err.Error()
		case final:
			results[i].Status, results[i].Reply = tasks.ResultFailed, err.Error()
		default:
			results[i].Status, results[i].Reply = tasks.ResultRetry, err.Error()
			temp++
		}
	}
	return temp
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
