package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

const testRSS = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>Bridge reopens</title><link>https://news.example/bridge</link></item>
<item><title>Storm warning</title><link>https://news.example/storm</link></item>
</channel></rss>`

// testFeed serves body on 127.0.0.1 with status, counting the fetches.
func testFeed(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// addTestList stores the list news on db.
func addTestList(t *testing.T, db *sqlite.DB) {
	t.Helper()
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('news', 'News', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// feedAPIServer is a Server with the feed routes on a real SQLite file,
// allowed to poll feeds on loopback, every feed always due.
func feedAPIServer(t *testing.T) (*articles.Feeds, http.Handler, string) {
	t.Helper()
	s, db := unroutedServer(t, nil)
	addTestList(t, db)
	token, err := s.Admins.CreateToken(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	feeds := articles.NewFeeds(db, s.Articles, true)
	feeds.Interval = 0
	s.DigestDeps = DigestDeps{Feeds: feeds}
	return feeds, s.Handler(), token
}

func decodeFeed(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("answer %s: %v", w.Body, err)
	}
	return got
}

// TestFeedAPI lists, reads, pauses, resumes and deletes a feed through
// the API, and checks that a paused feed is not polled.
func TestFeedAPI(t *testing.T) {
	feeds, h, token := feedAPIServer(t)
	ctx := context.Background()
	src, hits := testFeed(t, 200, testRSS)

	w := do(t, h, "POST", "/api/v1/feeds", token, `{"url":"`+src.URL+`/feed.xml","list":"news"}`)
	if w.Code != 201 {
		t.Fatalf("add: %d %s", w.Code, w.Body)
	}
	id := int64(decodeFeed(t, w)["id"].(float64))
	path := fmt.Sprintf("/api/v1/feeds/%d", id)

	w = do(t, h, "GET", "/api/v1/feeds", token, "")
	var list struct {
		Items []map[string]any `json:"items"`
		Next  any              `json:"next"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); w.Code != 200 || err != nil || len(list.Items) != 1 || list.Next != nil {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	got := list.Items[0]
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range []string{"id", "url", "list", "active", "last_polled_at", "last_status", "items"} {
		if _, ok := got[k]; !ok {
			t.Errorf("a listed feed has no %q; it has %v", k, keys)
		}
	}
	want := map[string]any{"id": float64(id), "url": src.URL + "/feed.xml", "list": "news", "active": true, "last_status": "200 OK", "items": 2.0}
	for k := range got {
		if _, ok := want[k]; !ok {
			delete(got, k)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listed feed (-want +got):\n%s", diff)
	}

	steps := []struct {
		name, method, path, body string
		status                   int
		active                   any // the answer's active, nil for none
		polls                    int32
	}{
		{"read", "GET", path, "", 200, true, 1},
		{"pause", "PATCH", path, `{"active":false}`, 200, false, 0},
		{"paused is not polled", "GET", path, "", 200, false, 0},
		{"resume", "PATCH", path, `{"active":true}`, 200, true, 1},
		{"patch without active", "PATCH", path, `{}`, 422, nil, 1},
		{"patch of the url", "PATCH", path, `{"url":"https://news.example/other.xml","active":true}`, 422, nil, 1},
		{"patch unknown", "PATCH", "/api/v1/feeds/999", `{"active":false}`, 404, nil, 1},
		{"read unknown", "GET", "/api/v1/feeds/999", "", 404, nil, 1},
		{"read bad id", "GET", "/api/v1/feeds/x", "", 422, nil, 1},
		{"delete", "DELETE", path, "", 204, nil, 0},
		{"read deleted", "GET", path, "", 404, nil, 0},
		{"delete again", "DELETE", path, "", 404, nil, 0},
	}
	for _, st := range steps {
		w := do(t, h, st.method, st.path, token, st.body)
		if w.Code != st.status {
			t.Errorf("%s: %d %s, want %d", st.name, w.Code, w.Body, st.status)
			continue
		}
		if st.active != nil {
			if a := decodeFeed(t, w)["active"]; a != st.active {
				t.Errorf("%s: active = %v, want %v", st.name, a, st.active)
			}
		}
		before := hits.Load()
		if _, err := feeds.PollDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := hits.Load() - before; n != st.polls {
			t.Errorf("after %s: %d polls, want %d", st.name, n, st.polls)
		}
	}
	for _, path := range []string{"/api/v1/feeds", "/api/v1/feeds/1"} {
		if w := do(t, h, "GET", path, "", ""); w.Code != 401 {
			t.Errorf("GET %s without a token: %d, want 401", path, w.Code)
		}
	}
}

// TestFeedAPIPages pages through feeds with after and limit.
func TestFeedAPIPages(t *testing.T) {
	_, h, token := feedAPIServer(t)
	src, _ := testFeed(t, 200, testRSS)
	for i := range 3 {
		if w := do(t, h, "POST", "/api/v1/feeds", token, fmt.Sprintf(`{"url":"%s/%d","list":"news"}`, src.URL, i)); w.Code != 201 {
			t.Fatalf("add: %d %s", w.Code, w.Body)
		}
	}
	var urls []string
	next := "0"
	for next != "" {
		w := do(t, h, "GET", "/api/v1/feeds?limit=2&after="+next, token, "")
		var p struct {
			Items []struct{ URL string }
			Next  *int64
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); w.Code != 200 || err != nil {
			t.Fatalf("page after %s: %d %s", next, w.Code, w.Body)
		}
		for _, it := range p.Items {
			urls = append(urls, it.URL)
		}
		next = ""
		if p.Next != nil {
			next = fmt.Sprint(*p.Next)
		}
	}
	if diff := cmp.Diff([]string{src.URL + "/0", src.URL + "/1", src.URL + "/2"}, urls); diff != "" {
		t.Errorf("feeds over pages (-want +got):\n%s", diff)
	}
	if w := do(t, h, "GET", "/api/v1/feeds?limit=0", token, ""); w.Code != 422 {
		t.Errorf("limit=0: %d, want 422", w.Code)
	}
}
