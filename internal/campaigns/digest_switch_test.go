package campaigns_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// switchDigest sets the digest schedule of the list slug through the
// list update the API and the admin use, at the env's clock.
func switchDigest(t *testing.T, e *schedEnv, slug, digest string) {
	t.Helper()
	if _, err := subscribers.NewStore(e.db).UpdateList(context.Background(), slug, &subscribers.ListPatch{Digest: &digest}); err != nil {
		t.Fatal(err)
	}
}

// switchQueue makes e's service queue its tasks on a fakeQueue, whose
// fan-out tasks the tests read back.
func switchQueue(e *schedEnv) *fakeQueue {
	q := &fakeQueue{}
	e.svc.Queue = q
	return q
}

// switchFanouts returns the campaigns whose fan-out q was given since the
// last call, in order.
func switchFanouts(t *testing.T, q *fakeQueue) []int64 {
	t.Helper()
	var ids []int64
	for _, task := range q.take(queue.TypeCampaignFanout) {
		var p queue.FanoutPayload
		if err := json.Unmarshal(task.Payload(), &p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.CampaignID)
	}
	slices.Sort(ids)
	return ids
}

// switchDigestsAfter returns the digest campaigns made after the campaign
// after, in order.
func switchDigestsAfter(t *testing.T, e *schedEnv, after int64) []int64 {
	t.Helper()
	rows, err := e.db.Read.Query(`SELECT id FROM campaigns WHERE kind = 'digest' AND id > ? ORDER BY id`, after)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// switchLastDigest is the id of the newest digest campaign, or 0.
func switchLastDigest(t *testing.T, e *schedEnv) int64 {
	t.Helper()
	var id int64
	if err := e.db.Read.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM campaigns WHERE kind = 'digest'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// switchRollupLeft counts the round-up mark and round-up holds the list
// still has.
func switchRollupLeft(t *testing.T, e *schedEnv, list int64) int {
	t.Helper()
	var n int
	err := e.db.Read.QueryRow(`SELECT (SELECT COUNT(*) FROM digest_rollup_marks WHERE list_id = ?)
		+ (SELECT COUNT(*) FROM digest_holds WHERE list_id = ? AND marks = 'digest_rollup_marks')`, list, list).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantGot fails t unless each reader got each title in want[reader][title]
// digests.
func wantGot(t *testing.T, e *schedEnv, when string, want map[string]map[string]int) {
	t.Helper()
	for _, email := range slices.Sorted(maps.Keys(want)) {
		for title, n := range want[email] {
			if got := e.got(t, email, title); got != n {
				t.Errorf("%s: %s got %s in %d digests, want %d", when, email, title, got, n)
			}
		}
	}
}

// A daily list's weekly readers last got the round-up, some days before
// the list's last daily digest. When the list becomes weekly, its first
// weekly digest takes them from their round-up, and its daily readers from
// their last daily digest: no weekly reader misses the articles of the
// days between, and no daily reader gets one a second time. Each reader
// gets one digest, both digests are started, and the week after one
// ordinary digest goes to everybody.
func TestDailyToWeeklyFirstDigestTakesWeeklyReadersFromTheirRoundUp(t *testing.T) {
	e := newSchedEnv(t, monday)
	q := switchQueue(e)
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	e.reader(t, "d@x.example", "confirmed", "daily", news)
	e.reader(t, "w@x.example", "confirmed", "weekly", news)
	e.articleAt(t, news, "Lighthouse", monday.Add(7*time.Hour))
	e.tick(t, monday.Add(8*time.Hour+30*time.Second)) // Monday's daily and round-up
	if e.got(t, "d@x.example", "Lighthouse") != 1 || e.got(t, "w@x.example", "Lighthouse") != 1 {
		t.Fatal("setup: Monday's daily digest and round-up did not both carry Lighthouse")
	}
	for i, title := range []string{"Ferry", "Regatta", "Tides"} { // Tuesday to Thursday
		day := monday.AddDate(0, 0, i+1)
		e.articleAt(t, news, title, day.Add(7*time.Hour))
		e.tick(t, day.Add(8*time.Hour+30*time.Second))
	}
	thursday := monday.AddDate(0, 0, 3)
	e.articleAt(t, news, "Quay", thursday.Add(10*time.Hour))
	e.clock = thursday.Add(12 * time.Hour)
	switchDigest(t, e, "news", "weekly")
	e.articleAt(t, news, "Beacon", monday.AddDate(0, 0, 5).Add(7*time.Hour)) // Saturday
	for d := 4; d < 7; d++ {                                                 // Friday to Sunday: nothing is due
		if due := e.tick(t, monday.AddDate(0, 0, d).Add(8*time.Hour+30*time.Second)); len(due) != 0 {
			t.Fatalf("due on day %d of the week after the switch: %+v", d, due)
		}
	}
	before := switchLastDigest(t, e)
	switchFanouts(t, q)

	next := monday.AddDate(0, 0, 7)
	due := e.tick(t, next.Add(8*time.Hour+30*time.Second))
	wantGot(t, e, "after the first weekly digest", map[string]map[string]int{
		"w@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1, "Tides": 1, "Quay": 1, "Beacon": 1},
		"d@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1, "Tides": 1, "Quay": 1, "Beacon": 1},
	})
	made := switchDigestsAfter(t, e, before)
	if len(made) != 2 {
		t.Fatalf("first weekly digest made %d campaigns, want 2 (one for the weekly readers, one for the rest)", len(made))
	}
	for _, r := range []string{"w@x.example", "d@x.example"} {
		var n int
		if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.campaign_id > ? AND s.email = ?`, before, r).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s is in %d of the first weekly digests, want 1", r, n)
		}
	}
	if got := switchFanouts(t, q); !slices.Equal(got, made) {
		t.Errorf("fan-outs started for %v, want both digests %v", got, made)
	}
	if n := switchRollupLeft(t, e, news); n != 0 {
		t.Errorf("%d round-up marks and holds left after the first weekly digest, want none", n)
	}

	// The build task again, as asynq retries it: built already.
	for _, p := range due {
		task, _ := queue.NewDigestBuildTask(p)
		if err := e.svc.HandleDigestBuild(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
	if again := switchDigestsAfter(t, e, made[len(made)-1]); len(again) != 0 {
		t.Errorf("the same slot's build again made digests %v, want none", again)
	}

	// The week after: one ordinary digest to everybody, of the new article.
	e.articleAt(t, news, "Gull", next.AddDate(0, 0, 1).Add(7*time.Hour))
	e.tick(t, next.AddDate(0, 0, 7).Add(8*time.Hour+30*time.Second))
	if later := switchDigestsAfter(t, e, made[len(made)-1]); len(later) != 1 {
		t.Errorf("the second weekly digest made %d campaigns, want 1", len(later))
	}
	wantGot(t, e, "after the second weekly digest", map[string]map[string]int{
		"w@x.example": {"Gull": 1, "Ferry": 1, "Quay": 1, "Beacon": 1},
		"d@x.example": {"Gull": 1, "Tides": 1, "Quay": 1, "Beacon": 1},
	})
}

// A list that becomes weekly just after a round-up that saw more than its
// last daily digest: the first weekly digest gives the weekly readers only
// what came after their round-up and the daily readers what came after
// their daily digest, so neither gets an article twice or misses one.
func TestDailyToWeeklyRightAfterARoundUp(t *testing.T) {
	e := newSchedEnv(t, monday)
	ctx := context.Background()
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	e.reader(t, "d@x.example", "confirmed", "daily", news)
	e.reader(t, "w@x.example", "confirmed", "weekly", news)
	e.articleAt(t, news, "Lighthouse", monday.Add(7*time.Hour))
	// Monday's daily digest at 08:00:30, then Ferry, then the round-up at
	// 08:02: the round-up's mark is past the daily one's.
	slot := monday.Add(8 * time.Hour)
	due, err := e.svc.DueDigests(ctx, slot.Add(30*time.Second))
	if err != nil || len(due) != 2 {
		t.Fatalf("due = %+v, %v; want Monday's daily digest and round-up", due, err)
	}
	for _, p := range due {
		if p.Cadence == "weekly" {
			e.articleAt(t, news, "Ferry", slot.Add(time.Minute))
			e.clock = slot.Add(2 * time.Minute)
		} else {
			e.clock = slot.Add(30 * time.Second)
		}
		task, _ := queue.NewDigestBuildTask(p)
		if err := e.svc.HandleDigestBuild(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	wantGot(t, e, "after Monday", map[string]map[string]int{
		"w@x.example": {"Lighthouse": 1, "Ferry": 1},
		"d@x.example": {"Lighthouse": 1, "Ferry": 0},
	})
	e.clock = monday.Add(12 * time.Hour)
	switchDigest(t, e, "news", "weekly")
	e.articleAt(t, news, "Regatta", monday.AddDate(0, 0, 2).Add(7*time.Hour))
	e.tick(t, monday.AddDate(0, 0, 7).Add(8*time.Hour+30*time.Second))
	wantGot(t, e, "after the first weekly digest", map[string]map[string]int{
		"w@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1},
		"d@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1},
	})
	if n := switchRollupLeft(t, e, news); n != 0 {
		t.Errorf("%d round-up marks and holds left after the first weekly digest, want none", n)
	}
}

// A daily list that never sent a round-up (it became weekly before its
// first) has no round-up mark: its first weekly digest is one digest to
// every reader from the last daily digest, as before.
func TestDailyToWeeklyWithoutARoundUpIsOneDigest(t *testing.T) {
	tuesday := monday.AddDate(0, 0, 1)
	e := newSchedEnv(t, tuesday)
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	e.exec(t, `UPDATE lists SET created_at = ? WHERE id = ?`, tuesday, news)
	e.reader(t, "d@x.example", "confirmed", "daily", news)
	e.reader(t, "w@x.example", "confirmed", "weekly", news)
	e.articleAt(t, news, "Lighthouse", tuesday.Add(7*time.Hour))
	e.tick(t, tuesday.Add(8*time.Hour+30*time.Second)) // the daily digest only: the round-up's slot is before the list
	if n := switchRollupLeft(t, e, news); n != 0 {
		t.Fatalf("setup: the list has %d round-up marks", n)
	}
	e.articleAt(t, news, "Ferry", tuesday.Add(10*time.Hour))
	e.clock = tuesday.Add(12 * time.Hour)
	switchDigest(t, e, "news", "weekly")
	before := switchLastDigest(t, e)
	e.tick(t, monday.AddDate(0, 0, 7).Add(8*time.Hour+30*time.Second))
	made := switchDigestsAfter(t, e, before)
	if len(made) != 1 {
		t.Fatalf("first weekly digest made %d campaigns, want 1", len(made))
	}
	var start time.Time
	if err := e.db.Read.QueryRow(`SELECT window_start FROM campaigns WHERE id = ?`, made[0]).Scan(&start); err != nil {
		t.Fatal(err)
	}
	if want := tuesday.Add(8*time.Hour + 30*time.Second); !start.Equal(want) {
		t.Errorf("first weekly digest from %v, want from the last daily digest, %v", start, want)
	}
	wantGot(t, e, "after the first weekly digest", map[string]map[string]int{
		"w@x.example": {"Lighthouse": 0, "Ferry": 1},
		"d@x.example": {"Lighthouse": 1, "Ferry": 1},
	})
}

// Run by hand, the first digest of a list that became weekly is the same
// pair as the scheduled one, and both are started. The answer is the
// digest of the readers who are not weekly; when that one has no reader,
// it is the weekly readers' digest, so the caller is told of the digest
// that was made.
func TestDailyToWeeklyRunByHand(t *testing.T) {
	for _, tt := range []struct {
		name    string
		readers map[string]string // by email, their frequency
		want    []string          // who the answer's digest goes to
	}{
		{"daily and weekly readers", map[string]string{"d@x.example": "daily", "w@x.example": "weekly"}, []string{"d@x.example"}},
		{"weekly readers only", map[string]string{"w@x.example": "weekly"}, []string{"w@x.example"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newSchedEnv(t, monday)
			q := switchQueue(e)
			news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
			for _, email := range slices.Sorted(maps.Keys(tt.readers)) {
				e.reader(t, email, "confirmed", tt.readers[email], news)
			}
			e.articleAt(t, news, "Lighthouse", monday.Add(7*time.Hour))
			e.tick(t, monday.Add(8*time.Hour+30*time.Second))
			e.articleAt(t, news, "Ferry", monday.Add(31*time.Hour))
			e.tick(t, monday.Add(32*time.Hour+30*time.Second)) // Tuesday's daily
			e.articleAt(t, news, "Regatta", monday.Add(34*time.Hour))
			e.clock = monday.Add(36 * time.Hour)
			switchDigest(t, e, "news", "weekly")
			before := switchLastDigest(t, e)
			switchFanouts(t, q)

			d, err := e.svc.RunDigest(context.Background(), "news")
			if err != nil {
				t.Fatal(err)
			}
			made := switchDigestsAfter(t, e, before)
			if got := switchFanouts(t, q); !slices.Equal(got, made) || len(made) == 0 {
				t.Errorf("fan-outs started for %v, want every digest made, %v", got, made)
			}
			var to []string
			rows, err := e.db.Read.Query(`SELECT s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
				WHERE d.campaign_id = ? ORDER BY s.email`, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var email string
				if err := rows.Scan(&email); err != nil {
					t.Fatal(err)
				}
				to = append(to, email)
			}
			rows.Close()
			if d.ID == 0 || !slices.Equal(to, tt.want) || d.Recipients != len(tt.want) {
				t.Errorf("RunDigest = %+v to %v, want a digest to %v", d, to, tt.want)
			}
			if _, weekly := tt.readers["w@x.example"]; weekly {
				wantGot(t, e, "after the digest by hand", map[string]map[string]int{"w@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1}})
			}
			if _, daily := tt.readers["d@x.example"]; daily {
				wantGot(t, e, "after the digest by hand", map[string]map[string]int{"d@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1}})
			}
		})
	}
}

// A list that goes from daily to weekly and back before any weekly digest
// keeps its weekly readers' round-up mark: their next round-up starts
// where their last one ended, not at the list's last daily digest, which
// they never got.
func TestDailyToWeeklyAndBackKeepsTheRoundUp(t *testing.T) {
	e := newSchedEnv(t, monday)
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	e.reader(t, "d@x.example", "confirmed", "daily", news)
	e.reader(t, "w@x.example", "confirmed", "weekly", news)
	e.articleAt(t, news, "Lighthouse", monday.Add(7*time.Hour))
	e.tick(t, monday.Add(8*time.Hour+30*time.Second))
	for i, title := range []string{"Ferry", "Regatta"} { // Tuesday and Wednesday
		day := monday.AddDate(0, 0, i+1)
		e.articleAt(t, news, title, day.Add(7*time.Hour))
		e.tick(t, day.Add(8*time.Hour+30*time.Second))
	}
	e.clock = monday.AddDate(0, 0, 2).Add(12 * time.Hour)
	switchDigest(t, e, "news", "weekly")
	e.clock = monday.AddDate(0, 0, 3).Add(12 * time.Hour)
	switchDigest(t, e, "news", "daily")
	for d := 4; d < 7; d++ {
		e.tick(t, monday.AddDate(0, 0, d).Add(8*time.Hour+30*time.Second))
	}
	e.tick(t, monday.AddDate(0, 0, 7).Add(8*time.Hour+30*time.Second)) // the next round-up
	wantGot(t, e, "after the next round-up", map[string]map[string]int{
		"w@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1},
		"d@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1},
	})
}

// A daily list whose digest is turned off and then run by hand is no
// longer daily either: the digest by hand takes its weekly readers from
// their round-up, and once it has, the list's first weekly digest, after a
// switch to weekly, is an ordinary one that repeats nothing.
func TestDailyToOffRunByHandThenWeekly(t *testing.T) {
	e := newSchedEnv(t, monday)
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	e.reader(t, "d@x.example", "confirmed", "daily", news)
	e.reader(t, "w@x.example", "confirmed", "weekly", news)
	e.articleAt(t, news, "Lighthouse", monday.Add(7*time.Hour))
	e.tick(t, monday.Add(8*time.Hour+30*time.Second))
	e.articleAt(t, news, "Ferry", monday.Add(31*time.Hour))
	e.tick(t, monday.Add(32*time.Hour+30*time.Second)) // Tuesday's daily
	e.clock = monday.Add(36 * time.Hour)
	switchDigest(t, e, "news", "off")
	e.articleAt(t, news, "Regatta", monday.Add(40*time.Hour))
	e.clock = monday.Add(48 * time.Hour)
	if _, err := e.svc.RunDigest(context.Background(), "news"); err != nil {
		t.Fatal(err)
	}
	wantGot(t, e, "after the digest by hand", map[string]map[string]int{
		"w@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1},
		"d@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1},
	})
	e.clock = monday.Add(50 * time.Hour)
	switchDigest(t, e, "news", "weekly")
	e.articleAt(t, news, "Tides", monday.Add(60*time.Hour))
	e.tick(t, monday.AddDate(0, 0, 7).Add(8*time.Hour+30*time.Second))
	wantGot(t, e, "after the first weekly digest", map[string]map[string]int{
		"w@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1, "Tides": 1},
		"d@x.example": {"Lighthouse": 1, "Ferry": 1, "Regatta": 1, "Tides": 1},
	})
}
