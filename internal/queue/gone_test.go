package queue_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A reader who left a campaign's lists is kept in that campaign's set
// alone, scored when they left, for GoneFor: a later write drops what is
// older, and the set expires GoneFor after its last write.
func TestAddLeftKeepsAWeekPerCampaign(t *testing.T) {
	for name, url := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			rdb := openEmpty(t, url).Redis()
			now := time.Now()
			if err := queue.AddLeft(ctx, rdb, now.Add(-queue.GoneFor-time.Minute), 1, 7); err != nil {
				t.Fatal(err)
			}
			if err := queue.AddLeft(ctx, rdb, now, 2, 7, 8); err != nil {
				t.Fatal(err)
			}
			for cid, want := range map[int64][]string{7: {"2"}, 8: {"2"}, 9: nil} {
				got, err := rdb.ZRange(ctx, queue.LeftKey(cid), 0, -1).Result()
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("campaign %d: left %v (%v), want %v", cid, got, err, want)
				}
			}
			if at := rdb.ZScore(ctx, queue.LeftKey(8), "2").Val(); int64(at) != now.UnixMilli() {
				t.Errorf("scored %d, want %d, when they left in Unix milliseconds", int64(at), now.UnixMilli())
			}
			if ttl := rdb.TTL(ctx, queue.LeftKey(7)).Val(); ttl <= queue.GoneFor-time.Minute || ttl > queue.GoneFor {
				t.Errorf("%s expires in %s, want %s", queue.LeftKey(7), ttl, queue.GoneFor)
			}
			if n := rdb.Exists(ctx, queue.GoneKey).Val(); n != 0 {
				t.Errorf("%s written: leaving a campaign's lists is not leaving everything", queue.GoneKey)
			}
		})
	}
}

// A reader who comes back is dropped from the sets where they left at or
// before the change that brought them back, never where a departure
// committed after it put them (an unsubscribe racing the confirmation):
// that one stands. The campaigns they left in the same change are
// recorded left.
func TestStaysUndoesOnlyEarlierDepartures(t *testing.T) {
	for name, url := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			rdb := openEmpty(t, url).Redis()
			back := time.Now()
			if err := queue.AddGone(ctx, rdb, back.Add(-time.Minute), 1); err != nil {
				t.Fatal(err)
			}
			if err := queue.AddGone(ctx, rdb, back.Add(time.Second), 2); err != nil {
				t.Fatal(err)
			}
			if err := queue.AddLeft(ctx, rdb, back.Add(-time.Minute), 1, 7); err != nil {
				t.Fatal(err)
			}
			if err := queue.AddLeft(ctx, rdb, back.Add(time.Second), 2, 7); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{1, 2} {
				if err := queue.Stays(ctx, rdb, id, back, back, []int64{8}, []int64{7}); err != nil {
					t.Fatal(err)
				}
			}
			for key, want := range map[string][]string{queue.GoneKey: {"2"}, queue.LeftKey(7): {"2"}, queue.LeftKey(8): {"1", "2"}} {
				if got, err := rdb.ZRange(ctx, key, 0, -1).Result(); err != nil || !slices.Equal(got, want) {
					t.Errorf("%s holds %v (%v), want %v", key, got, err, want)
				}
			}
		})
	}
}
