package articles_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// flakySite serves rss on 127.0.0.1, without an ETag, with the status
// code it is set to (500 to start with); it counts the requests.
func flakySite(t *testing.T) (srv *httptest.Server, status, hits *atomic.Int32) {
	t.Helper()
	status, hits = new(atomic.Int32), new(atomic.Int32)
	status.Store(http.StatusInternalServerError)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if code := int(status.Load()); code != http.StatusOK {
			http.Error(w, "down for maintenance", code)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(rss))
	}))
	t.Cleanup(srv.Close)
	return srv, status, hits
}

// A feed whose polls keep failing is polled less often: 15 minutes after
// its first failure, then 30, an hour, and so on, doubling up to a day;
// its failures in a row and next poll are on the feed. The first poll that
// works clears them, and the feed is polled every 15 minutes again. A
// failing feed was polled every 15 minutes for as long as it was kept.
func TestFailingFeedBacksOff(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, status, hits := flakySite(t)
	feeds := articles.NewFeeds(db, store, true) // the server is on loopback
	later := startClock(feeds)
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed", "news", nil)
	if err != nil || fd.LastError == "" || fd.Failures != 1 {
		t.Fatalf("add = %+v, %v; want kept, failed once", fd, err)
	}
	polled := func() int32 {
		t.Helper()
		before := hits.Load()
		if _, err := feeds.PollDue(ctx); err != nil {
			t.Fatal(err)
		}
		return hits.Load() - before
	}
	waits := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour,
		16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	for i, wait := range waits {
		failures := i + 1
		fd, _ = feeds.Get(ctx, fd.ID)
		if fd.Failures != failures || fd.NextPollAt == nil || !fd.NextPollAt.Equal(fd.LastPolledAt.Add(wait)) {
			t.Fatalf("after %d failures: failures %d, next poll %v, last %v; want the next %s after the last",
				failures, fd.Failures, fd.NextPollAt, fd.LastPolledAt, wait)
		}
		// The poll task runs every 5 minutes: a feed due within a minute
		// is taken.
		later(wait - 5*time.Minute)
		if n := polled(); n != 0 {
			t.Fatalf("after %d failures the feed was polled %s after the last, want %s", failures, wait-5*time.Minute, wait)
		}
		later(5 * time.Minute)
		if n := polled(); n != 1 {
			t.Fatalf("after %d failures the feed was polled %d times %s after the last, want once", failures, n, wait)
		}
	}

	status.Store(http.StatusOK)
	later(articles.MaxPollBackoff)
	if n := polled(); n != 1 {
		t.Fatalf("a day on, the feed was polled %d times, want once", n)
	}
	fd, _ = feeds.Get(ctx, fd.ID)
	if fd.Failures != 0 || fd.NextPollAt != nil || fd.LastError != "" || fd.Items != 2 {
		t.Errorf("after a poll that worked: failures %d, next poll %v, error %q, items %d; want 0, nil, none, 2",
			fd.Failures, fd.NextPollAt, fd.LastError, fd.Items)
	}
	later(10 * time.Minute)
	if n := polled(); n != 0 {
		t.Error("a feed that works was polled 10 minutes after its last poll")
	}
	later(5 * time.Minute)
	if n := polled(); n != 1 {
		t.Errorf("a feed that works was polled %d times 15 minutes after its last poll, want once", n)
	}
}

// Resuming a failing feed that is active (the feeds page's "Poll now")
// polls it at once, not when its back-off says; one that fails again is
// polled again 15 minutes on, as the site may be in the middle of a fix,
// and backs off from there. Resuming a feed that works, and is active,
// does not poll it.
func TestPollNowOfFailingFeed(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, status, hits := flakySite(t)
	feeds := articles.NewFeeds(db, store, true)
	later := startClock(feeds)
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed", "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if fd, err = feeds.Get(ctx, fd.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := feeds.Poll(ctx, fd); err == nil {
			t.Fatal("a poll of the failing site worked")
		}
	}
	if fd, _ = feeds.Get(ctx, fd.ID); fd.Failures != 4 || !fd.NextPollAt.Equal(fd.LastPolledAt.Add(2*time.Hour)) {
		t.Fatalf("after 4 failures: %d failures, next poll %v after %v; want 4, two hours on", fd.Failures, fd.NextPollAt, fd.LastPolledAt)
	}

	now := later(time.Minute)
	before := hits.Load()
	fd, err = feeds.SetActive(ctx, fd.ID, true)
	if err != nil || hits.Load() != before+1 {
		t.Fatalf("poll now: %v, %d requests; want one", err, hits.Load()-before)
	}
	if fd.Failures != 5 || !fd.NextPollAt.Equal(now.Add(articles.DefaultPollInterval)) {
		t.Errorf("poll now that failed: %d failures, next poll %v; want 5, %v", fd.Failures, fd.NextPollAt, now.Add(articles.DefaultPollInterval))
	}

	// Paused, it keeps its failures and has no next poll; resumed, it
	// is polled at once, as any paused feed is.
	if fd, err = feeds.SetActive(ctx, fd.ID, false); err != nil || fd.Failures != 5 || fd.NextPollAt != nil {
		t.Errorf("paused: %+v, %v; want 5 failures, no next poll", fd, err)
	}
	now = later(time.Minute)
	before = hits.Load()
	if fd, err = feeds.SetActive(ctx, fd.ID, true); err != nil || hits.Load() != before+1 || fd.Failures != 6 ||
		!fd.NextPollAt.Equal(now.Add(articles.DefaultPollInterval)) {
		t.Errorf("resumed: %+v, %v, %d requests; want one, 6 failures, the next poll 15 minutes on", fd, err, hits.Load()-before)
	}

	status.Store(http.StatusOK)
	later(time.Minute)
	if fd, err = feeds.SetActive(ctx, fd.ID, true); err != nil || fd.Failures != 0 || fd.NextPollAt != nil || fd.Added != 2 {
		t.Fatalf("poll now that worked: %+v, %v; want no failures, 2 added", fd, err)
	}
	before = hits.Load()
	if _, err := feeds.SetActive(ctx, fd.ID, true); err != nil || hits.Load() != before {
		t.Errorf("resuming an active feed that works polled it %d times (%v), want none", hits.Load()-before, err)
	}
}

// A database from before migration 078 counts a feed failing then as
// failed once, polled when it was due; a feed that works has no failures.
func TestMigration078CountsFailingFeeds(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db = migrateAgain(t, db, path,
		`DROP INDEX deleted_feed_items_feed`,
		`ALTER TABLE feeds DROP COLUMN failures`,
		`ALTER TABLE feeds DROP COLUMN next_poll_at`,
		`DELETE FROM migrations WHERE name = 'migration/078_deleted_feed_items_index.sql'`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-01-01')`,
		`INSERT INTO feeds (id, url, list_id, last_polled_at, last_status, last_error, created_at) VALUES
			(1, 'https://news.example/feed', 1, '2026-12-01 08:00:00+00:00', '200 OK', '', '2026-01-01'),
			(2, 'https://down.example/feed', 1, '2026-12-01 08:00:00+00:00', 'the server answered 503 Service Unavailable',
				'the server answered 503 Service Unavailable', '2026-01-01')`,
	)
	defer db.Close()
	feeds := articles.NewFeeds(db, articles.NewStore(db), true)
	for id, want := range map[int64]int{1: 0, 2: 1} {
		fd, err := feeds.Get(ctx, id)
		if err != nil || fd.Failures != want || fd.NextPollAt != nil {
			t.Errorf("feed %d after migration 078: %+v, %v; want %d failures, no next poll set", id, fd, err, want)
		}
	}
	due, err := feeds.Due(ctx)
	if err != nil || len(due) != 2 {
		t.Errorf("due after migration 078: %d feeds, %v; want both", len(due), err)
	}
}
