package articles_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A resumed feed is polled at once, as a new one is, so its status is
// fresh: it used to wait for the poller's next round, minutes later.
// Resuming a feed that is active already does not poll it again.
func TestFeedResumePollsAtOnce(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	var hits atomic.Int32
	var status atomic.Int32
	status.Store(http.StatusOK)
	body := strings.Replace(rss, "https://news.example/storm", "https://news.example/tide", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		w.WriteHeader(int(status.Load()))
		if n == 1 {
			w.Write([]byte(rss))
		} else {
			w.Write([]byte(body))
		}
	}))
	t.Cleanup(srv.Close)
	feeds := articles.NewFeeds(db, store, true) // the default interval: nothing is due again soon
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil || fd.Added != 2 {
		t.Fatalf("add = %+v, %v", fd, err)
	}
	if _, err := feeds.SetActive(ctx, fd.ID, false); err != nil {
		t.Fatal(err)
	}
	status.Store(http.StatusServiceUnavailable)
	if hits.Load() != 1 {
		t.Fatalf("pausing fetched the feed (%d fetches)", hits.Load())
	}

	got, err := feeds.SetActive(ctx, fd.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := feeds.Get(ctx, fd.ID)
	want := "the server answered 503 Service Unavailable"
	if hits.Load() != 2 || !got.Active || got.LastStatus != want || stored.LastStatus != want || stored.LastError != want {
		t.Errorf("resume: %d fetches, answered %+v, stored status %q; want it fetched now, status %q", hits.Load(), got, stored.LastStatus, want)
	}

	// Paused and resumed again with the feed back: the new item arrives.
	status.Store(http.StatusOK)
	if _, err := feeds.SetActive(ctx, fd.ID, false); err != nil {
		t.Fatal(err)
	}
	got, err = feeds.SetActive(ctx, fd.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 3 || got.Added != 1 || got.Items != 3 || got.LastError != "" || !strings.HasPrefix(got.LastStatus, "200 OK") {
		t.Errorf("second resume: %d fetches, answered %+v; want a 200 that added the new item", hits.Load(), got)
	}
	items, _, err := store.List(ctx, articles.Filter{List: "news"})
	if err != nil || len(items) != 3 {
		t.Errorf("articles after the resume: %d, %v; want 3 with the new one", len(items), err)
	}

	// Active already: "resuming" it is not a poll.
	if got, err := feeds.SetActive(ctx, fd.ID, true); err != nil || hits.Load() != 3 || got.Added != 0 {
		t.Errorf("resuming an active feed = %+v, %v, %d fetches; want no fetch", got, err, hits.Load())
	}
}
