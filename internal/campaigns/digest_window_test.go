package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// A schedEnv is a digestEnv with a fake clock and helpers to run the scheduler.
type schedEnv struct {
	*digestEnv
	clock time.Time
}

func newSchedEnv(t *testing.T, start time.Time) *schedEnv {
	e := &schedEnv{digestEnv: newDigestEnv(t), clock: start}
	campaigns.SetClock(e.svc.Store, func() time.Time { return e.clock })
	return e
}

// listAt adds a list made long ago with the given schedule.
func (e *schedEnv) listAt(t *testing.T, slug, digest string, hour int, weekday, zone string) int64 {
	t.Helper()
	id := e.list(t, slug, digest, true)
	e.exec(t, `UPDATE lists SET digest_hour = ?, digest_weekday = ?, timezone = ?, created_at = ? WHERE id = ?`,
		hour, weekday, zone, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), id)
	return id
}

// articleAt adds an article to list, published and created at at.
func (e *schedEnv) articleAt(t *testing.T, list int64, title string, at time.Time) int64 {
	t.Helper()
	id := e.exec(t, `INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, '', '', ?, ?)`,
		"https://news.example/"+title, title, at.UTC(), at.UTC())
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, list)
	return id
}

// tick sets the clock to now and builds every digest the scheduler finds
// due then, as digest:tick and digest:build do.
func (e *schedEnv) tick(t *testing.T, now time.Time) []queue.DigestBuildPayload {
	t.Helper()
	e.clock = now
	ctx := context.Background()
	due, err := e.svc.DueDigests(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range due {
		task, _ := queue.NewDigestBuildTask(p)
		if err := e.svc.HandleDigestBuild(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	return due
}

// got counts the digests mailed (deliveries made) to email that carry title.
func (e *schedEnv) got(t *testing.T, email, title string) int {
	t.Helper()
	var n int
	err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
		JOIN subscribers s ON s.id = d.subscriber_id
		WHERE c.kind = 'digest' AND s.email = ? AND instr(c.body_text, ?) > 0`, email, title).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// digestsTo counts the digests made for email.
func (e *schedEnv) digestsTo(t *testing.T, email string) int {
	t.Helper()
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
		JOIN subscribers s ON s.id = d.subscriber_id WHERE c.kind = 'digest' AND s.email = ?`, email).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Monday 23 November 2026, 00:00 UTC.
var monday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// An article that takes the id of one deleted after a digest (SQLite gives
// the newest freed id out again) comes in the next digest: digests follow
// the links of articles to lists, whose numbers only grow.
func TestDigestTakesAnArticleWithADeletedArticlesID(t *testing.T) {
	e := newSchedEnv(t, monday)
	ctx := context.Background()
	store := articles.NewStore(e.db)
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	e.reader(t, "d@x.example", "confirmed", "daily", news)
	put := func(title string, at time.Time) *articles.Article {
		t.Helper()
		url, lists := "https://news.example/"+title, []string{"news"}
		a, _, err := store.Put(ctx, &articles.Patch{URL: &url, Title: &title, PublishedAt: &at, Lists: &lists})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	ferry := put("Ferry", monday.Add(7*time.Hour))
	e.tick(t, monday.Add(8*time.Hour+30*time.Second))
	if e.got(t, "d@x.example", "Ferry") != 1 {
		t.Fatal("setup: the 08:00 digest lacks Ferry")
	}
	e.clock = monday.Add(9 * time.Hour)
	if err := store.Delete(ctx, ferry.ID); err != nil {
		t.Fatal(err)
	}
	bridge := put("Bridge", monday.Add(10*time.Hour))
	t.Logf("Ferry had id %d, Bridge got id %d", ferry.ID, bridge.ID)
	e.tick(t, monday.Add(32*time.Hour+30*time.Second)) // Tuesday 08:00:30
	e.tick(t, monday.Add(56*time.Hour+30*time.Second)) // Wednesday 08:00:30
	if n := e.got(t, "d@x.example", "Bridge"); n != 1 {
		t.Errorf("Bridge (added Monday 10:00) in %d digests by Wednesday, want 1", n)
	}
}

// An article that joins a second list after that list's digest (a second
// feed, an API post of the same URL) comes in the list's next digest,
// though its id is below the list's mark.
func TestDigestTakesAnArticleThatJoinsItsListLater(t *testing.T) {
	e := newSchedEnv(t, monday)
	ctx := context.Background()
	store := articles.NewStore(e.db)
	e.listAt(t, "sport", "daily", 8, "monday", "UTC")
	harbour := e.listAt(t, "harbour", "daily", 8, "monday", "UTC")
	e.reader(t, "h@x.example", "confirmed", "daily", harbour)
	put := func(title string, at time.Time, list string) {
		t.Helper()
		url, lists := "https://news.example/"+title, []string{list}
		if _, _, err := store.Put(ctx, &articles.Patch{URL: &url, Title: &title, PublishedAt: &at, Lists: &lists}); err != nil {
			t.Fatal(err)
		}
	}
	put("Regatta", monday.Add(7*time.Hour), "sport")
	e.articleAt(t, harbour, "Tides", monday.Add(7*time.Hour))
	e.tick(t, monday.Add(8*time.Hour+30*time.Second))
	e.clock = monday.Add(9 * time.Hour)
	put("Regatta", monday.Add(7*time.Hour), "harbour")
	e.tick(t, monday.Add(32*time.Hour+30*time.Second)) // Tuesday 08:00:30
	if n := e.got(t, "h@x.example", "Regatta"); n != 1 {
		t.Errorf("Regatta (joined harbour Monday 09:00) in %d harbour digests, want 1", n)
	}
}

// Putting an article on one more list leaves its other links as they
// were: the lists whose digests took it do not mail it again, and the new
// list's next digest does.
func TestDigestKeepsAnArticlesLinksWhenItsListsChange(t *testing.T) {
	e := newSchedEnv(t, monday)
	ctx := context.Background()
	store := articles.NewStore(e.db)
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	sport := e.listAt(t, "sport", "daily", 8, "monday", "UTC")
	e.reader(t, "n@x.example", "confirmed", "daily", news)
	e.reader(t, "s@x.example", "confirmed", "daily", sport)
	url, title, at := "https://news.example/Ferry", "Ferry", monday.Add(7*time.Hour)
	lists := []string{"news"}
	a, _, err := store.Put(ctx, &articles.Patch{URL: &url, Title: &title, PublishedAt: &at, Lists: &lists})
	if err != nil {
		t.Fatal(err)
	}
	e.tick(t, monday.Add(8*time.Hour+30*time.Second))
	e.clock = monday.Add(9 * time.Hour)
	both := []string{"news", "sport"}
	if _, err := store.Update(ctx, a.ID, &articles.Patch{Lists: &both}); err != nil {
		t.Fatal(err)
	}
	e.tick(t, monday.Add(32*time.Hour+30*time.Second)) // Tuesday 08:00:30
	if n := e.got(t, "n@x.example", "Ferry"); n != 1 {
		t.Errorf("Ferry in %d news digests, want 1", n)
	}
	if n := e.got(t, "s@x.example", "Ferry"); n != 1 {
		t.Errorf("Ferry in %d sport digests, want 1", n)
	}
}
