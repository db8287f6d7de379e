package main

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// recoverOrphans has asynq hand the send tasks of a worker killed with
// SIGKILL to another worker a minute or so sooner than it would by itself,
// and returns how many it handed on. asynq takes a task back only 30 s
// after its lease ran out (a margin for clocks that differ between
// machines), and looks for such tasks once a minute: the killed worker's
// batch sat for one to two minutes, most of TestDeliveryByWorkersOnRedis's
// time. Here, once asynq itself reports a task orphaned (its lease ran
// out; a live worker renews its leases every 5 s), its lease is dated back
// past that margin, and a worker is started in the killed one's place, as
// a service manager would, whose asynq looks at once. What is sent after,
// and the checks on it, are asynq's and Bulletin's own: without this the
// test passes as well, only slower, as it does when the victim held no
// task or asynq keeps its leases elsewhere in a later version.
func recoverOrphans(t *testing.T, c *cluster, redisURL, name string) int {
	t.Helper()
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		t.Fatal("asynq made no go-redis client")
	}
	defer rdb.Close()
	inspector := asynq.NewInspectorFromRedisClient(rdb)

	// A lease runs 30 s from the last renewal, which came at most 5 s
	// before the kill; 45 s leaves room for a slow machine.
	var orphans []string
	for deadline := time.Now().Add(45 * time.Second); len(orphans) == 0; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Log("no orphaned send task 45 s after the kill: asynq's recoverer is left to its own pace")
			return 0
		}
		active, err := inspector.ListActiveTasks(queue.QueueSend, asynq.PageSize(1000))
		if err != nil {
			t.Fatalf("list the active send tasks: %v", err)
		}
		if len(active) == 0 {
			return 0 // the killed worker held nothing, or its batch went back already
		}
		for _, task := range active {
			if task.IsOrphaned {
				orphans = append(orphans, task.ID)
			}
		}
	}
	// The recoverer takes tasks whose lease ended over 30 s ago.
	past := float64(time.Now().Add(-time.Minute).Unix())
	members := make([]redis.Z, len(orphans))
	for i, id := range orphans {
		members[i] = redis.Z{Score: past, Member: id}
	}
	moved, err := rdb.ZAddArgs(context.Background(), "asynq:{"+queue.QueueSend+"}:lease",
		redis.ZAddArgs{XX: true, Ch: true, Members: members}).Result()
	if err != nil {
		t.Fatalf("date back the leases of %v: %v", orphans, err)
	}
	t.Logf("%d orphaned send tasks, %d leases dated back: %v", len(orphans), moved, orphans)
	if moved > 0 {
		c.start(name, "worker")
	}
	return int(moved)
}
