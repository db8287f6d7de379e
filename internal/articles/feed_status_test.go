package articles_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// pollKept adds url to news paused, and resumes it, which polls it: the
// poll of a feed Bulletin keeps whatever the poll gets, as a feed that
// worked before is kept. (A new feed whose first poll shows it is no feed
// is not added: see TestFeedNotAddedWhenItsFirstPollShowsItIsNoFeed.)
func pollKept(t *testing.T, feeds *articles.Feeds, url string) *articles.Feed {
	t.Helper()
	ctx := context.Background()
	paused := false
	fd, _, err := feeds.Add(ctx, url, "news", &paused)
	if err != nil {
		t.Fatal(err)
	}
	if fd, err = feeds.SetActive(ctx, fd.ID, true); err != nil {
		t.Fatal(err)
	}
	return fd
}

// TestFeedPollRecordsStatus checks what a poll leaves for the admin to
// read: the HTTP status of a good fetch and the items it took, the status
// in words of a failed one, the parse error in words of a broken feed.
// Those that show the URL is no feed keep a new feed out.
func TestFeedPollRecordsStatus(t *testing.T) {
	tests := []struct {
		name       string
		serve      func(w http.ResponseWriter)
		wantStatus string // a prefix of last_status
		wantItems  int
		wantError  bool
		notAdded   bool // a new feed is refused
	}{
		{"good feed", func(w http.ResponseWriter) { w.Write([]byte(rss)) }, "200 OK", 2, false, false},
		{"server error", func(w http.ResponseWriter) { http.Error(w, "boom", 500) }, "the server answered 500 Internal Server Error", 0, true, false},
		{"not found", func(w http.ResponseWriter) { http.Error(w, "gone", 404) }, "the server answered 404 Not Found", 0, true, true},
		{"broken XML", func(w http.ResponseWriter) {
			w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</title></chan`))
		},
			"the feed does not parse: ", 0, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.serve(w) }))
			t.Cleanup(srv.Close)
			feeds := articles.NewFeeds(db, store, true)
			fd, _, err := feeds.Add(context.Background(), srv.URL+"/feed.xml", "news", nil)
			if tt.notAdded {
				if bulletin.ErrorCode(err) != bulletin.EINVALID {
					t.Fatalf("Add = %v, %v; want the feed refused", fd, err)
				}
				fd = pollKept(t, feeds, srv.URL+"/feed.xml")
			} else if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(fd.LastStatus, tt.wantStatus) || fd.Items != tt.wantItems || (fd.LastError != "") != tt.wantError {
				t.Errorf("after a poll: status %q, items %d, error %q; want status %q…, items %d, error %v",
					fd.LastStatus, fd.Items, fd.LastError, tt.wantStatus, tt.wantItems, tt.wantError)
			}
			if strings.HasSuffix(tt.wantStatus, ": ") && len(fd.LastStatus) <= len(tt.wantStatus) {
				t.Errorf("status %q does not say what went wrong", fd.LastStatus)
			}
			if !fd.Active {
				t.Error("a new feed is not active")
			}
		})
	}
}

// TestFeedItemsAddUp checks that items counts every article a feed has
// brought, poll after poll, and that a 304 keeps the count.
func TestFeedItemsAddUp(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	var body atomic.Value
	body.Store(rss)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` && body.Load().(string) == rss {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte(body.Load().(string)))
	}))
	t.Cleanup(srv.Close)
	feeds := articles.NewFeeds(db, store, true)
	fd, _, err := feeds.Add(ctx, srv.URL, "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := feeds.Poll(ctx, fd); err != nil {
		t.Fatal(err)
	}
	got, err := feeds.Get(ctx, fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastStatus != "304 Not Modified" || got.Items != 2 {
		t.Errorf("after a 304: status %q, items %d; want 304 Not Modified, 2", got.LastStatus, got.Items)
	}
	body.Store(strings.Replace(rss, "https://news.example/storm", "https://news.example/tide", 1))
	if _, err := feeds.Poll(ctx, got); err != nil {
		t.Fatal(err)
	}
	// rss has an item without a link, which the status notes.
	if got, _ = feeds.Get(ctx, fd.ID); got.Items != 3 || got.LastStatus != "200 OK; 1 item skipped: no link" {
		t.Errorf("after a new item: status %q, items %d; want 200 OK; 1 item skipped: no link, 3", got.LastStatus, got.Items)
	}
}

// TestFeedPauseResumeDelete checks that a paused feed is not polled, a
// resumed one is again, and a deleted one is gone.
func TestFeedPauseResumeDelete(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, hits, _ := feedServer(t, rss)
	feeds := articles.NewFeeds(db, store, true)
	feeds.Interval = 0 // every feed is due at once
	fd, _, err := feeds.Add(ctx, srv.URL, "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	paused, err := feeds.SetActive(ctx, fd.ID, false)
	if err != nil || paused.Active {
		t.Fatalf("pause = %+v, %v", paused, err)
	}
	before := hits.Load()
	if _, err := feeds.PollDue(ctx); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != before {
		t.Error("a paused feed was polled")
	}
	if _, _, err := feeds.Add(ctx, srv.URL, "news", nil); err != nil || hits.Load() != before {
		t.Errorf("adding a paused feed again polled it (%v)", err)
	}
	// Resuming polls the feed at once (TestFeedResumePollsAtOnce); the
	// poller takes it again from then on.
	if _, err := feeds.SetActive(ctx, fd.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := feeds.PollDue(ctx); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != before+2 {
		t.Errorf("a resumed feed was polled %d times, want 2: when resumed, then by PollDue", hits.Load()-before)
	}

	other, _, err := feeds.Add(ctx, srv.URL+"/other", "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	page, next, err := feeds.List(ctx, 0, 1)
	if err != nil || len(page) != 1 || page[0].ID != fd.ID || next != fd.ID {
		t.Fatalf("first page = %v, next %d, %v", page, next, err)
	}
	page, next, err = feeds.List(ctx, next, 1)
	if err != nil || len(page) != 1 || page[0].ID != other.ID || next != 0 {
		t.Fatalf("second page = %v, next %d, %v", page, next, err)
	}

	if err := feeds.Delete(ctx, fd.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"get":    func() error { _, err := feeds.Get(ctx, fd.ID); return err }(),
		"pause":  func() error { _, err := feeds.SetActive(ctx, fd.ID, false); return err }(),
		"delete": feeds.Delete(ctx, fd.ID),
	} {
		if diff := cmp.Diff(bulletin.ENOTFOUND, bulletin.ErrorCode(err)); diff != "" {
			t.Errorf("%s of a deleted feed (-want +got):\n%s", name, diff)
		}
	}
	if n, _, _ := store.List(ctx, articles.Filter{List: "news"}); len(n) != 2 {
		t.Errorf("deleting the feed left %d of its articles, want 2", len(n))
	}
}
