//go:build unix

package articles_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/benchtools"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// oldFeedItems is how many items of years past the benchmarks' feed has
// a row for.
const oldFeedItems = 100_000

// keptDeletedItems is how many deleted items over a month old the
// benchmarks' list keeps in "deleted-kept": ten months of 50 deletes a day
// from a feed that dates none of its items, whose deleted items are kept
// while it remembers them, a year (UndatedItemMemory).
const keptDeletedItems = 15_000

// BenchmarkPollWithOldFeedItems polls a feed that lists 50 items, all
// known, and has rows for oldFeedItems items it listed long ago, each an
// article: in full (200 OK, every item looked up and seen) or answered
// 304 Not Modified. While the old rows last, each full poll forgets a
// batch of them (a 304 poll looks a day after the last look, forgetClock,
// so the benchmark's do not); "drained" polls in full once they are gone
// (as many polls as forgetting them takes are run first, and timed as
// drain-s). "deleted-kept" is "not-modified" with keptDeletedItems
// deleted items of another feed of the list, one that dates nothing: each
// search for deleted items to forget walks them all, and forgets none;
// "deleted-kept-full" is "full" with those rows (each full read searches
// for deleted items to forget, the read feed's since migration 078).
// Run with a fixed count, the same for every build compared:
//
//	go test -run '^$' -bench PollWithOldFeedItems -benchtime 300x ./internal/articles/
func BenchmarkPollWithOldFeedItems(b *testing.B) {
	for _, mode := range []string{"full", "not-modified", "drained", "deleted-kept", "deleted-kept-full"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			db := sqlitetest.Open(b)
			feeds, fd := oldFeed(b, db, mode == "not-modified" || mode == "deleted-kept")
			kept := mode == "deleted-kept" || mode == "deleted-kept-full"
			if kept {
				undatedFeedDeletes(b, db)
			}
			var drain time.Duration
			if mode == "drained" {
				start := time.Now()
				for before := -1; ; {
					if _, err := feeds.Poll(ctx, fd); err != nil {
						b.Fatal(err)
					}
					n := countRows(b, db, `feed_items`)
					if n == before {
						break
					}
					before = n
				}
				drain = time.Since(start)
			}
			cpu := benchtools.CPUTime(b)
			for b.Loop() {
				if _, err := feeds.Poll(ctx, fd); err != nil {
					b.Fatal(err)
				}
			}
			// The machine's other work shows in the time a poll takes,
			// less in the CPU time it uses.
			b.ReportMetric(float64((benchtools.CPUTime(b)-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			b.ReportMetric(float64(countRows(b, db, `feed_items`)), "rows-left")
			if kept {
				b.ReportMetric(float64(countRows(b, db, `deleted_feed_items`)), "deleted-left")
			}
			if mode == "drained" {
				b.ReportMetric(drain.Seconds(), "drain-s")
			}
		})
	}
}

// oldFeed adds a feed of 50 items served on 127.0.0.1 (with an ETag,
// answered 304, when etag is set), polls it once, and gives it rows for
// oldFeedItems items it last saw in 2024, after that poll read it all.
func oldFeed(b *testing.B, db *sqlite.DB, etag bool) (*articles.Feeds, *articles.Feed) {
	b.Helper()
	ctx := context.Background()
	var items []datedItem
	posted := time.Now().Add(-time.Hour)
	for i := range 50 {
		items = append(items, datedItem{feedItem{fmt.Sprint("tag:news.example,2026:", i), fmt.Sprint("https://news.example/2026/", i), fmt.Sprint("Story ", i)}, posted})
	}
	body := datedRSS(items...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if etag && r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if etag {
			w.Header().Set("ETag", `"v1"`)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(body))
	}))
	b.Cleanup(srv.Close)
	stmts := []string{
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2024-01-01')`,
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO articles (url, title, published_at, created_at)
			SELECT 'https://news.example/2024/' || i, 'Old story ' || i, '2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00:00' FROM n`, oldFeedItems),
		`INSERT INTO article_lists (article_id, list_id) SELECT id, 1 FROM articles`,
	}
	for _, q := range stmts {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	feeds := articles.NewFeeds(db, articles.NewStore(db), true) // the server is on loopback
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed", "news", nil)
	if err != nil || fd.LastError != "" || fd.Added != 50 {
		b.Fatalf("add feed: %v %q, %d added", err, fd.LastError, fd.Added)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO feed_items (feed_id, item_id, article_id)
		SELECT ?, 'tag:news.example,2024:' || a.id, a.id FROM articles a
		WHERE a.url LIKE 'https://news.example/2024/%'`, fd.ID); err != nil {
		b.Fatal(err)
	}
	var seen int
	if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('feed_items') WHERE name = 'seen_at'`).Scan(&seen); err != nil {
		b.Fatal(err)
	}
	if seen == 1 {
		if _, err := db.Write.ExecContext(ctx, `UPDATE feed_items SET seen_at = '2024-01-01 00:00:00+00:00'
			WHERE item_id LIKE 'tag:news.example,2024:%'`); err != nil {
			b.Fatal(err)
		}
	}
	if n := countRows(b, db, `feed_items`); n != oldFeedItems+50 {
		b.Fatalf("%d feed items, want %d", n, oldFeedItems+50)
	}
	if fd, err = feeds.Get(ctx, fd.ID); err != nil {
		b.Fatal(err)
	}
	return feeds, fd
}

func countRows(b *testing.B, db *sqlite.DB, table string) int {
	b.Helper()
	var n int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// undatedFeedDeletes gives the list of oldFeed a second feed, one that
// dates none of its items and was read just now, with keptDeletedItems
// items it last listed two months ago, each deleted from the list: kept,
// as the feed remembers its undated items for a year (forgettableDeleted).
func undatedFeedDeletes(b *testing.B, db *sqlite.DB) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	seen := now.Add(-60 * 24 * time.Hour)
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO feeds (id, url, list_id, last_polled_at, last_status, items, created_at, fetched_at)
			VALUES (900, 'https://undated.example/feed', 1, ?, '200 OK', ?, '2025-01-01', ?)`, []any{now, keptDeletedItems, now}},
		{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO feed_items (feed_id, item_id, article_id, seen_at, undated)
			SELECT 900, 'https://undated.example/' || i, NULL, ?, 1 FROM n`, []any{keptDeletedItems, seen}},
		{`INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
			SELECT 1, item_id, 'https://undated.example/feed', item_id, 'Undated story', seen_at FROM feed_items WHERE feed_id = 900`, nil},
	}
	for _, st := range stmts {
		if _, err := db.Write.ExecContext(ctx, st.q, st.args...); err != nil {
			b.Fatalf("%s: %v", st.q, err)
		}
	}
	if n := countRows(b, db, `deleted_feed_items`); n != keptDeletedItems {
		b.Fatalf("%d deleted feed items, want %d", n, keptDeletedItems)
	}
}
