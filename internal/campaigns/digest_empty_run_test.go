package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// emptyRunEnv is a daily list whose digest goes out at 22:00 UTC, with a
// clock the test moves; day is a day at 00:00 UTC two days ago.
func emptyRunEnv(t *testing.T) (e *digestEnv, news int64, day time.Time, clock *time.Time) {
	e = newDigestEnv(t)
	news = e.list(t, "news", "daily", true)
	e.exec(t, `UPDATE lists SET digest_hour = 22, timezone = 'UTC'`)
	day = time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	clock = new(time.Time)
	campaigns.SetClock(e.svc.Store, func() time.Time { return *clock })
	return e, news, day, clock
}

// buildDue runs the digest:tick's builds due at now, as serve's scheduler
// does, and returns the digests made (by campaign) and the slots due.
func buildDue(t *testing.T, e *digestEnv, now time.Time) (slots []time.Time, made int) {
	t.Helper()
	ctx := context.Background()
	due, err := e.svc.DueDigests(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	var before int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM campaigns WHERE kind = 'digest'`).Scan(&before)
	for _, p := range due {
		if p.Cadence != campaigns.CadenceDaily {
			continue // the weekly round-up has no reader here
		}
		slots = append(slots, p.Slot)
		task, _ := queue.NewDigestBuildTask(p)
		if err := e.svc.HandleDigestBuild(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	var after int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM campaigns WHERE kind = 'digest'`).Scan(&after)
	return slots, after - before
}

// TestDigestEmptyRunByHandKeepsTheSchedule: a digest run by hand in the
// morning finds nothing new and sends nothing; an article comes after it,
// and the day's 22:00 digest is due all the same and takes it.
func TestDigestEmptyRunByHandKeepsTheSchedule(t *testing.T) {
	e, news, day, clock := emptyRunEnv(t)
	ctx := context.Background()
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	e.article(t, news, "Bridge reopens", day.Add(20*time.Hour))
	*clock = day.Add(22*time.Hour + time.Minute)
	if slots, made := buildDue(t, e, *clock); len(slots) != 1 || made != 1 {
		t.Fatalf("first evening: slots %v, %d digests; want the 22:00 digest", slots, made)
	}

	next := day.AddDate(0, 0, 1)
	*clock = next.Add(10 * time.Hour)
	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != 0 || d.Articles != 0 {
		t.Fatalf("run by hand with nothing new = %+v, want no digest", d)
	}
	e.article(t, news, "Ferry strike", next.Add(11*time.Hour))

	*clock = next.Add(22*time.Hour + time.Minute)
	slots, made := buildDue(t, e, *clock)
	if len(slots) != 1 || !slots[0].Equal(next.Add(22*time.Hour)) || made != 1 {
		t.Fatalf("after the empty run by hand: slots %v, %d digests; want that day's 22:00 digest", slots, made)
	}
	var subject string
	e.db.Read.QueryRow(`SELECT subject FROM campaigns WHERE kind = 'digest' ORDER BY id DESC`).Scan(&subject)
	if want := "Ferry strike"; !strings.Contains(subject, want) {
		t.Errorf("22:00 digest subject %q, want the article added after the run by hand, %q", subject, want)
	}
	if slots, made := buildDue(t, e, *clock); len(slots) != 0 || made != 0 {
		t.Errorf("after the 22:00 digest: slots %v, %d digests; want none due", slots, made)
	}
}

// TestDigestRunByHandWithNoReaderKeepsTheArticles: a run by hand while the
// list has no confirmed reader sends nothing and takes nothing: the reader
// who joins then gets the article in the next digest, the preview shows
// the list as before its first digest, and the day's slot is still due.
func TestDigestRunByHandWithNoReaderKeepsTheArticles(t *testing.T) {
	e, news, day, clock := emptyRunEnv(t)
	ctx := context.Background()
	e.reader(t, "pending@x.example", "pending", "daily", news)
	e.article(t, news, "Bridge reopens", day.Add(9*time.Hour))
	*clock = day.Add(10 * time.Hour)
	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != 0 || d.Articles != 1 || d.Recipients != 0 {
		t.Fatalf("run with no reader = %+v, want no digest of 1 article", d)
	}

	*clock = day.Add(11 * time.Hour)
	p, err := e.svc.PreviewDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if m := p.Mails[0]; !m.First || len(m.Articles) != 1 {
		t.Errorf("preview after the run = first %v, %d articles; want the first digest with the article", m.First, len(m.Articles))
	}

	e.reader(t, "a@x.example", "confirmed", "daily", news)
	d, err = e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.Articles != 1 || d.Recipients != 1 {
		t.Fatalf("run once a reader joined = %+v, want the article to 1 reader", d)
	}
}

// TestDigestScheduledWithNoReaderKeepsTheArticles: the 22:00 digest finds
// an article but no reader; the slot is served (not due again at every
// tick), and the reader who joins gets the article at the next 22:00.
func TestDigestScheduledWithNoReaderKeepsTheArticles(t *testing.T) {
	e, news, day, clock := emptyRunEnv(t)
	e.article(t, news, "Bridge reopens", day.Add(20*time.Hour))
	*clock = day.Add(22*time.Hour + time.Minute)
	if slots, made := buildDue(t, e, *clock); len(slots) != 1 || made != 0 {
		t.Fatalf("22:00 with no reader: slots %v, %d digests; want the slot built, no digest", slots, made)
	}
	*clock = day.Add(23 * time.Hour)
	if slots, made := buildDue(t, e, *clock); len(slots) != 0 || made != 0 {
		t.Fatalf("23:00: slots %v, %d digests; want the slot served", slots, made)
	}
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	e.article(t, news, "Ferry strike", day.Add(23*time.Hour))

	*clock = day.AddDate(0, 0, 1).Add(22*time.Hour + time.Minute)
	if slots, made := buildDue(t, e, *clock); len(slots) != 1 || made != 1 {
		t.Fatalf("next 22:00: slots %v, %d digests; want the digest", slots, made)
	}
	var id int64
	var total int
	e.db.Read.QueryRow(`SELECT id, total FROM campaigns WHERE kind = 'digest'`).Scan(&id, &total)
	var text string
	e.db.Read.QueryRow(`SELECT body_text FROM campaigns WHERE id = ?`, id).Scan(&text)
	for _, title := range []string{"Bridge reopens", "Ferry strike"} {
		if !strings.Contains(text, title) {
			t.Errorf("digest lacks %q, the article of the day no one got:\n%s", title, text)
		}
	}
	if total != 1 {
		t.Errorf("digest to %d readers, want 1", total)
	}
}
