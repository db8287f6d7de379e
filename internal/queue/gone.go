package queue

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// GoneKey is the Redis sorted set of the subscribers who can no longer get
// any mail (unsubscribed, erased, bounced, no list left), so that send
// workers, which cannot read SQLite, skip their deliveries still queued.
// A member is a subscriber id in decimal; its score is when the primary
// last saw them go, in Unix milliseconds, which a worker compares with
// the time its batch was read from the rows (SendPayload.Since): someone
// who left and came back before that was read as a recipient again.
//
// One sorted set rather than a key per id: a chunk's ids are checked in
// the worker's one pipeline against one key (no cross-slot reads on a
// Redis Cluster), and the score that bounds its age is the time the
// check needs anyway.
const GoneKey = "bulletin:gone"

// GoneFor is how long the set remembers a subscriber. Every write trims
// what is older, so the set holds at most the departures of one week.
// That outlives any task built before a departure: a send task's retries
// take under an hour, and a batch rebuilt from the rows (the reconciler,
// a resumed campaign) has its gone deliveries skipped in SQLite first.
const GoneFor = 7 * 24 * time.Hour

// goneTimeout bounds a write, which runs inside a reader's request: a
// Redis that does not answer must not hold the page for long.
const goneTimeout = 2 * time.Second

// A GoneSet records in Redis (GoneKey) the subscribers who can no longer
// get mail. It is best effort: SQLite holds the change already, and the
// primary's own sender reads it there, so a failed write is logged, never
// returned to the reader who unsubscribed.
type GoneSet struct {
	Redis redis.UniversalClient
	Log   *slog.Logger
}

// RecordGone adds ids to the set, scored now.
func (g *GoneSet) RecordGone(ctx context.Context, ids ...int64) {
	if len(ids) == 0 {
		return
	}
	// The change is committed: a reader who closed the page must not
	// cancel its record.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), goneTimeout)
	defer cancel()
	if err := AddGone(ctx, g.Redis, time.Now(), ids...); err != nil {
		g.log().Warn("record gone subscribers for send workers; SQLite has the change", "subscribers", ids, "err", err)
	}
}

func (g *GoneSet) log() *slog.Logger {
	if g.Log == nil {
		return slog.Default()
	}
	return g.Log
}

// AddGone adds ids to GoneKey scored at, and drops the members older than
// GoneFor, in one transaction.
func AddGone(ctx context.Context, rdb redis.UniversalClient, at time.Time, ids ...int64) error {
	members := make([]redis.Z, len(ids))
	for i, id := range ids {
		members[i] = redis.Z{Score: float64(at.UnixMilli()), Member: strconv.FormatInt(id, 10)}
	}
	oldest := strconv.FormatInt(at.Add(-GoneFor).UnixMilli(), 10)
	pipe := rdb.TxPipeline()
	pipe.ZAdd(ctx, GoneKey, members...)
	pipe.ZRemRangeByScore(ctx, GoneKey, "-inf", "("+oldest)
	pipe.Expire(ctx, GoneKey, GoneFor)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record gone subscribers: %w", err)
	}
	return nil
}
