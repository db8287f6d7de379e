package articles_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/logtest"
)

// A new feed refused at its first poll (a 404: the URL is no feed) is not
// stored, so nothing polls it again: the log says it was refused, and no
// "feed poll failed" line gives it failures and a next poll. It logged
// `feed poll failed feed=3 status="the server answered 404 Not Found"
// failures=1 next_poll_at=…` as if it would be polled again. A feed that
// is kept still logs its failed polls with the next one: a new feed's
// passing failure (a 503), and a stored feed's 404.
func TestFeedRefusedAtFirstPollLogsNoNextPoll(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	var logs logtest.Buffer
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	feeds.Log = slog.New(slog.NewTextHandler(&logs, nil))
	var status atomic.Int32
	status.Store(http.StatusNotFound)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code := int(status.Load()); code != http.StatusOK {
			http.Error(w, "no", code)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title><link>https://news.example/</link>
<item><title>Bridge</title><link>https://news.example/bridge</link></item></channel></rss>`))
	}))
	t.Cleanup(srv.Close)

	_, _, err := feeds.Add(ctx, srv.URL+"/missing.xml", "news", nil)
	if bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("Add of a feed answering 404 = %v, want it refused", err)
	}
	if list, _, err := feeds.List(ctx, 0, 0); err != nil || len(list) != 0 {
		t.Fatalf("feeds after the refusal = %v (%v), want none", list, err)
	}
	if got := logs.Lines("feed poll failed"); len(got) != 0 {
		t.Errorf("the refused feed's poll is logged as failed, with a next poll:\n%s", strings.Join(got, "\n"))
	}
	refused := logs.Lines("feed refused at its first poll")
	if len(refused) != 1 || !strings.Contains(refused[0], `status="the server answered 404 Not Found"`) ||
		strings.Contains(refused[0], "next_poll_at") || strings.Contains(refused[0], "failures") {
		t.Errorf("log lines of the refusal = %q, want one naming the 404, without failures or a next poll", refused)
	}
	if strings.Contains(logs.String(), srv.URL) {
		t.Errorf("the log names the feed's URL, whose query may hold a key:\n%s", logs.String())
	}

	// A passing failure keeps the new feed: its poll failed, and the
	// next is logged.
	status.Store(http.StatusServiceUnavailable)
	fd, created, err := feeds.Add(ctx, srv.URL+"/busy.xml", "news", nil)
	if err != nil || !created {
		t.Fatalf("Add of a feed answering 503 = %+v, %v, %v; want it added", fd, created, err)
	}
	if got := logs.Lines("feed poll failed"); len(got) != 1 || !strings.Contains(got[0], "next_poll_at=") {
		t.Errorf("log lines of the 503 = %q, want one with the next poll", got)
	}

	// A stored feed that answers 404 is polled again: logged as failed.
	status.Store(http.StatusOK)
	fd, created, err = feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil || !created || fd.LastError != "" {
		t.Fatalf("Add of a working feed = %+v, %v, %v", fd, created, err)
	}
	status.Store(http.StatusNotFound)
	if _, err := feeds.Poll(ctx, fd); err == nil {
		t.Fatal("Poll of the feed answering 404 worked")
	}
	if got := logs.Lines("feed poll failed"); len(got) != 2 || !strings.Contains(got[1], `status="the server answered 404 Not Found"`) ||
		!strings.Contains(got[1], "next_poll_at=") {
		t.Errorf("log lines of failed polls = %q, want the stored feed's 404 with its next poll", got)
	}
	if got := logs.Lines("feed refused at its first poll"); len(got) != 1 {
		t.Errorf("refusals logged = %q, want only the first feed's", got)
	}
}
