package main

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// dbRedisLost is this test's database of the real Redis, free of the
// others' (see internal/campaigns' dbStall).
const dbRedisLost = 9

// A campaign sent by a worker, whose Redis restarts without its data in
// the middle, went on only at serve's next periodic reconcile, up to five
// minutes later (its page a frozen bar meanwhile). serve now sees the
// loss within seconds and rebuilds the work from SQLite a few seconds
// after, once the worker has written its marks and results again: the
// campaign ends within the minute, each reader mailed once (but for the
// messages on the wire, as a worker's kill allows).
func TestCampaignGoesOnSoonAfterRedisLosesItsData(t *testing.T) {
	const n = 4000
	url := testRedis(t, dbRedisLost)
	smtp := smtptest.Start(t)
	c := newCluster(t, n, 0, "BULLETIN_SMTP_URL="+smtp.URL(), "BULLETIN_REDIS_URL="+url, "BULLETIN_SMTP_CONNS=2", "BULLETIN_SMTP_RATE=200")
	_, addr := c.start("serve", "serve", "--no-send")
	c.start("worker", "worker")
	id := c.startCampaign(addr)
	waitTotal(t, smtp, n/5)
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	lost := time.Now()
	t.Logf("Redis emptied after %d messages", smtp.Total())
	// The worker runs 4 batches of 500 at a time: the other 4 wait in
	// Redis, and are lost. At 200 a second the rest takes 16 s; the
	// watcher's look and its grace add some 15 more. The periodic
	// reconcile, all there was before, runs 5 minutes after serve started.
	c.waitSent(addr, id, 75*time.Second)
	t.Logf("sent %s after the loss", time.Since(lost).Round(time.Second))
	checkCounts(t, smtp, n, 0, 8)
}
