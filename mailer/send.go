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
// before it goes out and recording it right after.
type Sender struct {
	Batch  BatchSender
	Ledger Ledger
	Chunk  int // messages per claim, send and record; default 100
	// MaxChunks bounds the chunks composed and in flight at once across
	// all tasks (default 10): enough to keep a pool of pipelined
	// connections busy, and few enough to keep memory flat.
	MaxChunks int
	Metrics   *Metrics
	Log       *slog.Logger

	once  sync.Once
	slots chan struct{}
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
	chunk := s.Chunk
	if chunk <= 0 {
		chunk = 100
	}
	var temp int
	for i := 0; i < len(p.Recipients); i += chunk {
		n, stopped, err := s.sendChunk(ctx, cm, p.CampaignID, p.Recipients[i:min(i+chunk, len(p.Recipients))], final)
		if err != nil {
			return err
		}
		if stopped {
			return nil
		}
		temp += n
	}
	if temp > 0 {
		return fmt.Errorf("campaign %d batch %d: %d deliveries failed for now, retrying", p.CampaignID, p.Batch, temp)
	}
	return nil
}

// sendChunk claims, composes, sends and records one chunk, returning how
// many failed temporarily.
func (s *Sender) sendChunk(ctx context.Context, cm *CampaignMessage, cid int64, rs []tasks.Recipient, final bool) (int, bool, error) {
	s.once.Do(func() { s.slots = make(chan struct{}, cmp.Or(s.MaxChunks, 10)) })
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.DeliveryID
	}
	claimed, stopped, err := s.Ledger.Claim(ctx, cid, ids)
	if err != nil || stopped || len(claimed) == 0 {
		return 0, stopped, err
	}
	mine := make(map[int64]bool, len(claimed))
	for _, id := range claimed {
		mine[id] = true
	}
	var results []tasks.Result
	var out []Outgoing
	for _, r := range rs {
		if !mine[r.DeliveryID] {
			continue
		}
		data, err := cm.Compose(nil, Personal{Email: r.Email, Name: r.Name, Unsubscribe: r.Unsubscribe, Preferences: r.Preferences})
		if err != nil {
			results = append(results, tasks.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: tasks.ResultFailed, Reply: err.Error(), At: time.Now().UTC()})
			continue
		}
		results = append(results, tasks.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID})
		out = append(out, Outgoing{From: cm.From(), To: r.Email, Data: data})
	}
	start := time.Now()
	errs := s.Batch.SendBatch(ctx, out)
	s.Metrics.observeBatch(len(out), time.Since(start))
	temp := settleResults(results, errs, final)
	s.Metrics.count(results)
	// Record with a context of its own: what went out must be written down
	// even when ctx ended during the send.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.Ledger.Record(rctx, cid, results); err != nil {
		return 0, false, fmt.Errorf("record results: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	return temp, false, nil
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
