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
// who left and came back before that was read as a recipient again. One
// who comes back is dropped from the set (and from LeftKey), so that a
// batch read before they left sends to them too, as the primary's own
// ledger does.
//
// One sorted set rather than a key per id: a chunk's ids are checked in
// the worker's one pipeline against one key (no cross-slot reads on a
// Redis Cluster), and the score that bounds its age is the time the
// check needs anyway.
const GoneKey = "bulletin:gone"

// LeftKey is the Redis sorted set of the subscribers who can no longer
// get campaign cid (a campaign or a digest issue still going out) though
// they still get other mail: they left every list of it they were on, and
// stay on another. Its members and scores are GoneKey's, and a worker
// skips them as it skips the gone, in cid's tasks alone. The primary,
// which reads SQLite, decides who goes in it as its own ledger decides
// whom to skip.
func LeftKey(cid int64) string {
	return "bulletin:campaign:" + strconv.FormatInt(cid, 10) + ":left"
}

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

// RecordStays tells the workers of subscriber id, who can still get
// mail after a change the primary committed at at: left, campaigns of
// which they are on no list any more, are added to those campaigns'
// LeftKey, scored now; they are dropped from GoneKey and from the LeftKey
// of back, campaigns they get again, unless a later departure put them
// there (see dropIfBeforeLua). As RecordGone, it logs a failure and returns
// nothing.
func (g *GoneSet) RecordStays(ctx context.Context, id int64, at time.Time, left, back []int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), goneTimeout)
	defer cancel()
	if err := Stays(ctx, g.Redis, id, at, time.Now(), left, back); err != nil {
		g.log().Warn("record a subscriber who left campaigns' lists or came back, for send workers; SQLite has the change",
			"subscriber", id, "left", left, "back", back, "err", err)
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
	pipe := rdb.TxPipeline()
	addScored(ctx, pipe, GoneKey, at, ids...)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record gone subscribers: %w", err)
	}
	return nil
}

// AddLeft adds subscriber id to the LeftKey of each of campaigns scored
// at, and drops the members older than GoneFor, in one transaction.
func AddLeft(ctx context.Context, rdb redis.UniversalClient, at time.Time, id int64, campaigns ...int64) error {
	pipe := rdb.TxPipeline()
	for _, cid := range campaigns {
		addScored(ctx, pipe, LeftKey(cid), at, id)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record a subscriber who left campaigns' lists: %w", err)
	}
	return nil
}

// Stays writes, in one pipeline, what RecordStays tells: id added to the
// LeftKey of each of left, scored now, then dropped from GoneKey and from
// the LeftKey of each of back where its score is at or before at. The
// additions go first: a worker that reads between the two never finds a
// subscriber who left some lists in no set.
func Stays(ctx context.Context, rdb redis.UniversalClient, id int64, at, now time.Time, left, back []int64) error {
	member := strconv.FormatInt(id, 10)
	pipe := rdb.Pipeline()
	for _, cid := range left {
		addScored(ctx, pipe, LeftKey(cid), now, id)
	}
	cutoff := strconv.FormatInt(at.UnixMilli(), 10)
	for _, key := range append([]string{GoneKey}, campaignKeys(back)...) {
		pipe.Eval(ctx, dropIfBeforeLua, []string{key}, member, cutoff)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record a subscriber who left lists or came back: %w", err)
	}
	return nil
}

// dropIfBeforeLua removes member ARGV[1] from the sorted set KEYS[1] when
// its score, when they left, is at or before ARGV[2]: a return committed
// then undoes that departure, never one committed after it (an
// unsubscribe racing the confirmation that brought them back). One key a
// script, so that it runs on a Redis Cluster too.
const dropIfBeforeLua = `local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then
	return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0`

// campaignKeys returns the LeftKey of each of cids.
func campaignKeys(cids []int64) []string {
	keys := make([]string, len(cids))
	for i, cid := range cids {
		keys[i] = LeftKey(cid)
	}
	return keys
}

// addScored queues on pipe the writes that add subscribers ids to the
// sorted set key scored at, in Unix milliseconds, drop its members older
// than GoneFor and keep it GoneFor after this write.
func addScored(ctx context.Context, pipe redis.Pipeliner, key string, at time.Time, ids ...int64) {
	members := make([]redis.Z, len(ids))
	for i, id := range ids {
		members[i] = redis.Z{Score: float64(at.UnixMilli()), Member: strconv.FormatInt(id, 10)}
	}
	oldest := strconv.FormatInt(at.Add(-GoneFor).UnixMilli(), 10)
	pipe.ZAdd(ctx, key, members...)
	pipe.ZRemRangeByScore(ctx, key, "-inf", "("+oldest)
	pipe.Expire(ctx, key, GoneFor)
}
