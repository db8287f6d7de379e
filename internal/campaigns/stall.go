package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A sending campaign whose tasks were lost sends nothing until the
// reconciler rebuilds them from its rows, and the periodic reconcile
// runs every five minutes: after a Redis restarted without its data, or
// a `digest run` killed mid-way (whose claims hold its batch for
// claimFor), the campaign's page showed a frozen bar for up to that long
// and more. The watcher (Watch), run by serve, finds both sooner:
//
//   - Redis losing its data, by a mark of its own (watchKey) that only a
//     loss takes away, looked at every watchEvery. It then queues a run
//     of every reconciler lostGrace later, not at once: a send worker
//     whose Redis lost its data writes again, within a second, the mark
//     of the batch it sends and the results serve has not recorded
//     (mailer's BatchHolder and pendingWrites), and a batch rebuilt
//     before that could go twice. The periodic reconcile, which may fall
//     at any moment, has the same window; the grace keeps this one out
//     of it.
//   - A campaign that sent nothing for stallAfter while work is left:
//     once the claims of a run that stopped have run out, it rebuilds
//     that campaign's tasks (reconcileCampaign), once in each stall.
//
// Neither sends anything itself. Rebuilding a task is what the periodic
// reconcile does at any moment: task IDs come from the rows, so a task
// still in Redis is not queued twice, serve's sender sends only what it
// claims in SQLite, and a worker only what no other run holds or did.
// A look costs two reads of a few rows per campaign sending and a Redis
// SETNX, every five seconds.
const (
	stallAfter = 2 * time.Minute
	watchEvery = 5 * time.Second
	lostGrace  = 10 * time.Second
	watchKey   = "bulletin:campaigns:watch"
)

// A Stall is why a sending campaign has sent nothing for a while, for
// its page.
type Stall struct {
	// Since is when its last message went, or it started or resumed
	// sending, whichever is latest.
	Since time.Time
	// HeldUntil, when not zero, is when the claims on its next messages,
	// taken by a run that no longer sends them (a `digest run` killed,
	// say), run out: nothing can send them before.
	HeldUntil time.Time
	// QueueLost, when not zero, is when serve saw Redis come back
	// without its data since the campaign last sent.
	QueueLost time.Time
	// Requeued, when not zero, is when the watcher rebuilt its tasks in
	// this stall.
	Requeued time.Time
	// Resume is when Bulletin rebuilds its tasks at the latest; zero
	// once it has (Requeued), or when no watcher runs in this process.
	Resume time.Time
}

// watchState is the watcher's memory, shared with the pages.
type watchState struct {
	// look makes watchRedis's SetNX and the record of what it found one
	// step: the watcher and the start-up reconcile look at once when
	// serve starts, and the one that set the mark, recording second,
	// found marked already and took its own first look for a loss.
	look     sync.Mutex
	mu       sync.Mutex
	running  bool      // a watcher looks (WatchOnce), until Watch's stop
	marked   bool      // the mark is in Redis: a missing one is a loss
	lost     time.Time // Redis last found without the mark
	requeued map[int64]time.Time
}

func (w *watchState) get() (running bool, lost time.Time, requeued map[int64]time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.running, w.lost, w.requeued
}

// Watch starts the watcher (see stallAfter) and returns the func that
// stops it and waits for it. serve runs one.
func (s *Service) Watch() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(watchEvery)
		defer t.Stop()
		for {
			s.WatchOnce(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
		s.watch.mu.Lock()
		s.watch.running = false
		s.watch.mu.Unlock()
	}
}

// WatchOnce is one look of the watcher: at Redis's mark, then at the
// campaigns sending. Errors are logged; the next look tries again.
func (s *Service) WatchOnce(ctx context.Context) {
	now := s.now()
	s.watch.mu.Lock()
	s.watch.running = true // a watcher looks: the pages may count on it
	s.watch.mu.Unlock()
	s.watchRedis(ctx, now)
	ids, err := s.sendingIDs(ctx)
	if err != nil {
		s.log().Warn("look for stalled campaigns", "err", err)
		return
	}
	s.watch.mu.Lock()
	lost := s.watch.lost
	for id := range s.watch.requeued {
		if !containsID(ids, id) {
			delete(s.watch.requeued, id)
		}
	}
	s.watch.mu.Unlock()
	for _, id := range ids {
		st, err := s.stallOf(ctx, id, now)
		if err != nil {
			s.log().Warn("look for stalled campaigns", "campaign", id, "err", err)
			continue
		}
		if st == nil || now.Before(st.HeldUntil) || !st.Requeued.IsZero() || (!lost.IsZero() && now.Sub(lost) < lostGrace) {
			continue
		}
		n, err := s.reconcileCampaign(ctx, s.Queue, id)
		if err != nil {
			s.log().Warn("queue again the work of a stalled campaign", "campaign", id, "err", err)
			continue
		}
		s.log().Info("campaign sent nothing for a while: its work is queued again from its rows", "campaign", id,
			"since", st.Since.Format(time.RFC3339), "tasks", n)
		s.watch.mu.Lock()
		if s.watch.requeued == nil {
			s.watch.requeued = map[int64]time.Time{}
		}
		s.watch.requeued[id] = now
		s.watch.mu.Unlock()
	}
}

// watchRedis sets the watcher's mark in Redis, and when a mark set
// before is gone (Redis lost its data), queues a run of every reconciler
// lostGrace from now. A Redis that does not answer is left to the next
// look.
func (s *Service) watchRedis(ctx context.Context, now time.Time) {
	if s.Redis == nil || s.Queue == nil {
		return
	}
	s.watch.look.Lock()
	set, err := s.Redis.SetNX(ctx, watchKey, now.Unix(), 0).Result()
	if err != nil {
		s.watch.look.Unlock()
		return
	}
	s.watch.mu.Lock()
	lost := set && s.watch.marked
	s.watch.marked = true
	if lost {
		s.watch.lost = now
	}
	s.watch.mu.Unlock()
	s.watch.look.Unlock()
	if !lost {
		return
	}
	_, err = s.Queue.EnqueueContext(ctx, queue.NewReconcileTask(), asynq.ProcessIn(lostGrace),
		asynq.TaskID(fmt.Sprintf("reconcile:lost:%d", now.UnixNano())))
	if err != nil {
		s.log().Warn("Redis came back without its data; the periodic reconcile rebuilds the queued work from the database", "err", err)
		return
	}
	s.log().Warn("Redis came back without its data: the queued work is rebuilt from the database shortly", "in", lostGrace.String())
}

// justLost reports whether Redis came back without its data less than
// half of lostGrace ago, looking at the watcher's mark first. The
// periodic reconcile asks: falling in the second after a loss, before a
// send worker has written its batch marks and unrecorded results again,
// it rebuilt batches that could go twice (a tester's duplicate). It
// leaves the work to the run watchRedis queued for lostGrace after the
// loss.
func (s *Service) justLost(ctx context.Context) bool {
	now := s.now()
	s.watchRedis(ctx, now)
	s.watch.mu.Lock()
	lost := s.watch.lost
	s.watch.mu.Unlock()
	return !lost.IsZero() && now.Sub(lost) < lostGrace/2
}

// sendingIDs lists the campaigns and digests sending.
func (s *Service) sendingIDs(ctx context.Context) ([]int64, error) {
	return sqlite.Column[int64](s.db.Read.QueryContext(ctx, `SELECT id FROM campaigns WHERE status = ?`, StatusSending))
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// stallSQL reads what says whether a sending campaign moves: when it
// started or last changed status or fan-out page (updated_at), when its
// latest message went (on the (campaign_id, status, id) index, as
// lastSentSQL), whether work is left, and the latest claim among its
// next 200 queued deliveries, those a sender takes next. A digest's
// delivery held for its reader's welcome mail (heldWhere, its first
// argument) is no work left: it waits for the welcome, not for a sender.
var stallSQL = `SELECT c.started_at, c.updated_at,
	(SELECT sent_at FROM deliveries WHERE campaign_id = c.id AND status = 'sent' ORDER BY id DESC LIMIT 1),
	NOT c.fanout_done OR EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = c.id AND status = 'queued' AND NOT ` + heldWhere("deliveries", "c.id") + `),
	(SELECT MAX(claimed_until) FROM (SELECT claimed_until FROM deliveries WHERE campaign_id = c.id AND status = 'queued' ORDER BY id LIMIT 200))
	FROM campaigns c WHERE c.id = ? AND c.status = 'sending'`

// stallOf returns why campaign id has sent nothing for stallAfter, or
// nil when it is not sending, sends, or has nothing left to send.
func (s *Service) stallOf(ctx context.Context, id int64, now time.Time) (*Stall, error) {
	var started, updated, sent sql.NullTime
	var held any // MAX of a DATETIME: a time, or its text
	var left bool
	err := s.db.Read.QueryRowContext(ctx, stallSQL, holdSince(now), id).Scan(&started, &updated, &sent, &left, &held)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("campaign progress: %w", err)
	}
	since := latest(started, updated, sent)
	if !left || since.IsZero() || now.Sub(since) < stallAfter {
		return nil, nil
	}
	st := &Stall{Since: since}
	if t, ok := storedTime(held); ok && t.After(now) {
		st.HeldUntil = t
	}
	running, lost, requeued := s.watch.get()
	if lost.After(since) {
		st.QueueLost = lost
	}
	if at, ok := requeued[id]; ok && at.After(since) {
		st.Requeued = at
	}
	if running && st.Requeued.IsZero() {
		// The watcher's next look, once the claims have run out and the
		// grace after a loss has passed.
		from := now
		if !lost.IsZero() && lost.Add(lostGrace).After(from) {
			from = lost.Add(lostGrace)
		}
		if st.HeldUntil.After(from) {
			from = st.HeldUntil
		}
		st.Resume = from.Add(watchEvery)
	}
	return st, nil
}

// Stalled returns why sending campaign c has sent nothing for a while,
// or nil when it sends (or is not sending, or has nothing left).
func (s *Service) Stalled(ctx context.Context, c *Campaign) (*Stall, error) {
	if c.Status != StatusSending {
		return nil, nil
	}
	return s.stallOf(ctx, c.ID, s.now())
}

func latest(ts ...sql.NullTime) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.Valid && t.Time.After(out) {
			out = t.Time
		}
	}
	return out.UTC()
}

// storedTime reads a time as the driver gives a MAX of a DATETIME
// column: a time.Time, or text in one of the forms it stores times in.
func storedTime(v any) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		return v.UTC(), true
	case []byte:
		return parseStored(string(v))
	case string:
		return parseStored(v)
	}
	return time.Time{}, false
}

func parseStored(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
