package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
)

// The stop flag workers read in Redis stays while a campaign is paused,
// however long; goes at a resume; and, once the campaign is cancelled,
// expires after CancelledStopTTL instead of staying for ever, one key for
// each campaign ever cancelled.
func TestStopFlagOfACancelledCampaignExpires(t *testing.T) {
	e, id := stopEnv(t)
	ctx := context.Background()
	rdb := queuetest.Embedded(t).Redis()
	e.svc.Redis = rdb
	key := queue.StopKey(id)
	ttl := func() time.Duration {
		t.Helper()
		d, err := rdb.TTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	if d := ttl(); d != -1 {
		t.Errorf("paused: the flag's TTL is %v, want none (-1)", d)
	}
	if _, err := e.svc.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	if d := ttl(); d != -2 {
		t.Errorf("resumed: the flag's TTL is %v, want no flag (-2)", d)
	}
	if _, err := e.svc.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	if d := ttl(); d <= queue.CancelledStopTTL-time.Minute || d > queue.CancelledStopTTL {
		t.Errorf("cancelled: the flag's TTL is %v, want %v", d, queue.CancelledStopTTL)
	}
	if n, err := rdb.Exists(ctx, key).Result(); err != nil || n != 1 {
		t.Errorf("cancelled: the flag is not set (%d, %v)", n, err)
	}
}
