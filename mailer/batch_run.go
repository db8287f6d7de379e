package mailer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// A BatchHolder is a Ledger that lets one run at a time send a batch. A
// Redis restarted without its data loses the tasks of the batches workers
// are sending, and asynq does not tell them (its lease renewal adds
// nothing to a set that is gone, and reports no error); the reconciler
// then rebuilds those tasks from the rows, and another worker ran each
// from its start while the first still sent it, with nothing in Redis any
// more of what it had sent: a second copy of whole batches. So a run holds
// a mark naming it while it sends, renews it as it goes, and takes it
// again when Redis has lost it; a run that finds another's mark does not
// send, and a run whose mark another took stops, as for a pause.
// RedisLedger is one. The primary's ledger needs none: its claims in
// SQLite, which a Redis restart does not touch, let one run alone send a
// delivery.
type BatchHolder interface {
	// HoldBatch marks run as the one sending batch of campaign cid for a
	// while (tasks.RunTTL), renewing the mark when it is run's and taking
	// it when it is missing; it reports false, changing nothing, when
	// another run holds it.
	HoldBatch(ctx context.Context, cid, batch int64, run string) (bool, error)
	// LetGoBatch removes the mark if run still holds it.
	LetGoBatch(ctx context.Context, cid, batch int64, run string) error
}

// ErrBatchHeld is the error of a task that did not send its batch because
// another run is sending it (BatchHolder). It wraps tasks.ErrHandedBack:
// the task runs again later, without using up its retries, and then
// finds what that run sent done.
var ErrBatchHeld = errors.New("another run is sending this batch")

// errLost is the cause of a batch's context cancelled because another run
// took the batch over (BatchHolder).
var errLost = errors.New("another run took the batch over")

// A batchRun is one run's hold on a batch; nil when the ledger is no
// BatchHolder.
type batchRun struct {
	h          BatchHolder
	cid, batch int64
	id         string
}

// takeBatch holds batch p for this run. It returns ErrBatchHeld, wrapped
// with tasks.ErrHandedBack, when another run holds it, logged once for the
// batch until this sender takes it.
func (s *Sender) takeBatch(ctx context.Context, p *tasks.SendPayload) (*batchRun, error) {
	h, ok := s.Ledger.(BatchHolder)
	if !ok {
		return nil, nil
	}
	r := &batchRun{h: h, cid: p.CampaignID, batch: p.Batch, id: rand.Text()}
	held, err := h.HoldBatch(ctx, r.cid, r.batch, r.id)
	if err != nil {
		return nil, err
	}
	key := [2]int64{r.cid, r.batch}
	if !held {
		if _, logged := s.heldBatches.LoadOrStore(key, true); !logged && s.Log != nil {
			s.Log.Info("another run is sending this batch; this one leaves it to that run and comes back to it later",
				"campaign", r.cid, "batch", r.batch)
		}
		return nil, fmt.Errorf("campaign %d batch %d: %w: %w", r.cid, r.batch, ErrBatchHeld, tasks.ErrHandedBack)
	}
	s.heldBatches.Delete(key)
	return r, nil
}

// kept renews the run's hold, and reports false only once another run
// holds the batch. A renewal that fails (Redis away) loses nothing: the
// next one takes the mark again, and asynq stops a task whose lease it
// cannot renew.
func (r *batchRun) kept(ctx context.Context) bool {
	if r == nil {
		return true
	}
	held, err := r.h.HoldBatch(ctx, r.cid, r.batch, r.id)
	return err != nil || held
}

// letGo removes the run's hold, if it still is the run's, so that a rerun
// need not wait for it to run out; a removal that fails leaves it to run
// out within tasks.RunTTL.
func (r *batchRun) letGo() {
	if r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.h.LetGoBatch(ctx, r.cid, r.batch, r.id)
}
