package mailer

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

var _ BatchHolder = (*RedisLedger)(nil)

// holdRun marks KEYS[1] as held by run ARGV[1] for ARGV[2] ms: it renews
// the mark when it is the run's, takes it when it is missing (never taken,
// run out, or lost with Redis's data), and answers 0, changing nothing,
// when another run holds it.
var holdRun = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if v == ARGV[1] then
	redis.call("PEXPIRE", KEYS[1], ARGV[2])
	return 1
end
if not v then
	redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
	return 1
end
return 0`)

// letGoRun removes KEYS[1] if run ARGV[1] still holds it.
var letGoRun = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// HoldBatch implements BatchHolder with tasks.RunKey, kept for
// tasks.RunTTL. Script.Run sends the script itself when Redis does not
// know it, as after a restart.
func (l *RedisLedger) HoldBatch(ctx context.Context, cid, batch int64, run string) (bool, error) {
	n, err := holdRun.Run(ctx, l.Redis, []string{tasks.RunKey(cid, batch)}, run, tasks.RunTTL.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("hold batch %d of campaign %d: %w", batch, cid, err)
	}
	return n == 1, nil
}

// LetGoBatch implements BatchHolder.
func (l *RedisLedger) LetGoBatch(ctx context.Context, cid, batch int64, run string) error {
	if err := letGoRun.Run(ctx, l.Redis, []string{tasks.RunKey(cid, batch)}, run).Err(); err != nil {
		return fmt.Errorf("let go of batch %d of campaign %d: %w", batch, cid, err)
	}
	return nil
}
