package mailer_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/mailer"
)

// ledgerBackends open a fresh queue for each test that asks: on the
// embedded server and, when CI gives one, on this package's own database
// of a real redis-server (emptied), whose ZMSCORE is the one workers use.
func ledgerBackends(t *testing.T) map[string]func(t *testing.T) *tasks.Queue {
	b := map[string]func(t *testing.T) *tasks.Queue{
		"embedded": func(t *testing.T) *tasks.Queue { return queuetest.Embedded(t) },
	}
	if os.Getenv("BULLETIN_TEST_REDIS_URL") != "" {
		b["redis-server"] = func(t *testing.T) *tasks.Queue {
			q, err := tasks.Open(queuetest.RedisURL(t, queuetest.DBMailer))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Close() })
			return q
		}
	}
	return b
}

// A claim reads each recipient's departures, in the gone set and in the
// campaign's left set, for the whole chunk at once: a subscriber in
// neither set is claimed; one who left (either set, or both) at or after
// the batch was read is skipped; one who left only before it is claimed,
// having come back. A task with no Since (queued before batches carried
// it) skips whoever is in a set, and claims whoever is in none: go-redis
// reads "not in the set" as a score of 0, which must not count as a
// departure at or after the zero time.
func TestRedisLedgerClaimReadsDepartures(t *testing.T) {
	for name, open := range ledgerBackends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			q := open(t)
			l := &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q}
			since := time.Now().Add(-time.Minute)
			after, before := since.Add(time.Second), since.Add(-time.Hour)
			// Subscriber i is delivery 100+i of campaign 7: 1 is in no
			// set; 2 is gone after the batch was read, 3 before; 4 left
			// the campaign's lists after, 5 before; 6 is in both sets,
			// after, 7 before; 8 went before but left after; 9 left
			// another campaign's lists, after.
			for _, w := range []struct {
				at  time.Time
				ids []int64
			}{{after, []int64{2, 6}}, {before, []int64{3, 7, 8}}} {
				if err := tasks.AddGone(ctx, q.Redis(), w.at, w.ids...); err != nil {
					t.Fatal(err)
				}
			}
			for _, w := range []struct {
				at       time.Time
				id, camp int64
			}{{after, 4, 7}, {before, 5, 7}, {after, 6, 7}, {before, 7, 7}, {after, 8, 7}, {after, 9, 9}} {
				if err := tasks.AddLeft(ctx, q.Redis(), w.at, w.id, w.camp); err != nil {
					t.Fatal(err)
				}
			}
			p := sendPayload(9, since)
			claimed, stopped, err := l.Claim(ctx, p, p.Recipients)
			if err != nil || stopped {
				t.Fatalf("Claim: stopped %v, %v", stopped, err)
			}
			if diff := cmp.Diff([]int64{101, 103, 105, 107, 109}, claimed); diff != "" {
				t.Errorf("claimed (-want +got):\n%s", diff)
			}
			want := map[int64]string{102: "skipped", 104: "skipped", 106: "skipped", 108: "skipped"}
			if got, _ := recorded(t, q); !cmp.Equal(want, got) {
				t.Errorf("results queued for the primary (-want +got):\n%s", cmp.Diff(want, got))
			}

			// No Since, and a campaign whose left set is empty: in the
			// gone set at any time is skipped, in none is claimed.
			p = sendPayload(9, time.Time{})
			p.CampaignID = 8
			claimed, _, err = l.Claim(ctx, p, p.Recipients)
			if err != nil {
				t.Fatalf("Claim without Since: %v", err)
			}
			if diff := cmp.Diff([]int64{101, 104, 105, 109}, claimed); diff != "" {
				t.Errorf("claimed without Since (-want +got):\n%s", diff)
			}
		})
	}
}

// An error of any of the claim's commands fails the claim, rather than
// reading as "not in the set": here the campaign's left set, or the gone
// set, is a string, which ZMSCORE refuses.
func TestRedisLedgerClaimFailsOnAnError(t *testing.T) {
	for name, open := range ledgerBackends(t) {
		for _, key := range []string{tasks.LeftKey(7), tasks.GoneKey} {
			t.Run(name+"/"+key, func(t *testing.T) {
				ctx := context.Background()
				q := open(t)
				if err := q.Redis().Set(ctx, key, "not a sorted set", 0).Err(); err != nil {
					t.Fatal(err)
				}
				l := &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q}
				p := sendPayload(3, time.Now().Add(-time.Minute))
				claimed, _, err := l.Claim(ctx, p, p.Recipients)
				if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") || claimed != nil {
					t.Errorf("Claim: claimed %v, err %v; want nothing and the WRONGTYPE error", claimed, err)
				}
			})
		}
	}
}
