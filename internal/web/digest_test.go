package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// digestServer is a Server with the digest, feed and archive routes on a
// real SQLite file and the embedded Redis.
// execAt runs each statement on db's write connection with at for every
// one of its arguments: rows whose times are all one moment.
func execAt(t *testing.T, db *sqlite.DB, at time.Time, stmts ...string) {
	t.Helper()
	for _, stmt := range stmts {
		args := make([]any, strings.Count(stmt, "?"))
		for i := range args {
			args[i] = at
		}
		if _, err := db.Write.Exec(stmt, args...); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

func digestServer(t *testing.T) (*sqlite.DB, http.Handler, string) {
	t.Helper()
	ctx := context.Background()
	db := sqlitetest.Open(t)
	q := queuetest.Embedded(t)
	tmpl, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	ad := cheapAdmins(db)
	token, err := ad.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	svc := &campaigns.Service{Store: campaigns.NewStore(db), Queue: q.Client, Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
		Templates: tmpl, BaseURL: "https://news.example", From: "Harbour Gazette <news@news.example>"}
	srv := &Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Admins: ad, BaseURL: "https://news.example"}
	srv.Pages = tmpl
	srv.DigestDeps = DigestDeps{Digests: svc, Feeds: articles.NewFeeds(db, articles.NewStore(db), false), Archive: svc.Store}
	srv.Campaigns = svc
	execAt(t, db, time.Now(),
		`INSERT INTO lists (id, slug, name, public, digest, created_at) VALUES (1, 'news', 'News', 1, 'daily', ?)`,
		`INSERT INTO lists (id, slug, name, public, digest, created_at) VALUES (2, 'desk', 'Desk', 0, 'off', ?)`,
		`INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at) VALUES (1, 'a@x.example', 'a@x.example', 'Ada', 'confirmed', ?, ?)`,
		`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (1, 1, 'active', ?, ?), (1, 2, 'active', ?, ?)`,
		`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (1, 'https://news.example/bridge', 'Bridge reopens', ?, ?), (2, 'https://news.example/memo', 'Style memo', ?, ?)`,
		`INSERT INTO article_lists (article_id, list_id) VALUES (1, 1), (2, 2)`,
	)
	return db, srv.Handler(), token
}

func do(t *testing.T, h http.Handler, method, path, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestDigestRunAPI(t *testing.T) {
	_, h, token := digestServer(t)
	tests := []struct {
		name, body string
		status     int
		want       map[string]any // fields of the answer to compare
	}{
		{"run", `{"list":"news"}`, 201, map[string]any{"kind": "digest", "list": "news", "articles": 1.0, "recipients": 1.0, "subject": "News (1 new story): Bridge reopens"}},
		{"run again", `{"list":"news"}`, 200, map[string]any{"status": "no_new_articles", "list": "news"}},
		{"digest off runs by hand", `{"list":"desk"}`, 201, map[string]any{"kind": "digest", "list": "desk"}},
		{"unknown list", `{"list":"nope"}`, 404, map[string]any{"error": "not_found"}},
		{"no list", `{}`, 422, map[string]any{"error": "validation"}},
		{"bad JSON", `{`, 400, map[string]any{"error": "bad_request"}},
	}
	for _, tt := range tests {
		w := do(t, h, "POST", "/api/v1/digests/run", token, tt.body)
		var got map[string]any
		json.Unmarshal(w.Body.Bytes(), &got)
		picked := map[string]any{}
		for k := range tt.want {
			picked[k] = got[k]
		}
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, w.Code, tt.status, w.Body)
		}
		if diff := cmp.Diff(tt.want, picked); diff != "" {
			t.Errorf("%s: answer (-want +got):\n%s", tt.name, diff)
		}
	}
	if w := do(t, h, "POST", "/api/v1/digests/run", "", `{"list":"news"}`); w.Code != 401 {
		t.Errorf("without a token: %d, want 401", w.Code)
	}
}

// A digest's id, as the run answers it, reads back like a campaign's with
// its kind, lists and progress; it is not a campaign to edit or delete.
func TestDigestReadsBackByID(t *testing.T) {
	_, h, token := digestServer(t)
	w := do(t, h, "POST", "/api/v1/digests/run", token, `{"list":"news"}`)
	var run struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &run); err != nil || w.Code != 201 || run.ID == 0 {
		t.Fatalf("run: %d %s", w.Code, w.Body)
	}
	path := "/api/v1/campaigns/" + strconv.FormatInt(run.ID, 10)
	w = do(t, h, "GET", path, token, "")
	var got struct {
		ID    int64           `json:"id"`
		Kind  string          `json:"kind"`
		Lists []string        `json:"lists"`
		Stats campaigns.Stats `json:"stats"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
		t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
	}
	want := struct {
		ID    int64
		Kind  string
		Lists []string
		Total int
	}{run.ID, "digest", []string{"news"}, 1}
	if diff := cmp.Diff(want, struct {
		ID    int64
		Kind  string
		Lists []string
		Total int
	}{got.ID, got.Kind, got.Lists, got.Stats.Total}); diff != "" {
		t.Errorf("GET %s (-want +got):\n%s", path, diff)
	}
	for method, body := range map[string]string{"PATCH": `{"subject":"x"}`, "DELETE": ""} { // DELETE takes no body
		if w := do(t, h, method, path, token, body); w.Code != 404 && w.Code != 409 {
			t.Errorf("%s of a digest: %d, want 404 or 409: %s", method, w.Code, w.Body)
		}
	}
}

func TestArchive(t *testing.T) {
	db, h, token := digestServer(t)
	for _, list := range []string{"news", "desk"} {
		if w := do(t, h, "POST", "/api/v1/digests/run", token, `{"list":"`+list+`"}`); w.Code != 201 {
			t.Fatalf("run %s: %d %s", list, w.Code, w.Body)
		}
	}
	// The archive lists an issue once it has gone out: no worker sends
	// these digests, so they are marked sent as one would be.
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent' WHERE kind = 'digest'`); err != nil {
		t.Fatal(err)
	}
	c := &campaigns.Campaign{Subject: "Hello all", Body: "Dear {{ .Name }}, news.", Lists: []string{"news"}}
	if err := campaigns.NewStore(db).Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	cid := c.ID
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = ? WHERE id = ?`, time.Now(), cid); err != nil {
		t.Fatal(err)
	}

	w := do(t, h, "GET", "/archive", "", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "News (1 new story): Bridge reopens") || !strings.Contains(w.Body.String(), "Hello all") {
		t.Fatalf("archive: %d\n%s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "Style memo") {
		t.Error("the archive shows a digest of a private list")
	}
	w = do(t, h, "GET", "/archive/1", "", "")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `href="https://news.example/bridge"`) || strings.Contains(body, "unsubscribe/") {
		t.Errorf("archived digest: %d\n%s", w.Code, body)
	}
	w = do(t, h, "GET", "/archive/"+strconv.FormatInt(cid, 10), "", "")
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "Dear, news.") || strings.Contains(body, "BLTN") {
		t.Errorf("archived campaign: %d\n%s", w.Code, body)
	}
	for _, path := range []string{"/archive/2", "/archive/999", "/archive/x"} {
		if w := do(t, h, "GET", path, "", ""); w.Code != 404 || !strings.Contains(w.Body.String(), `<a href="/archive">`) {
			t.Errorf("GET %s: %d, want 404 with a link to the archive:\n%s", path, w.Code, w.Body)
		}
	}
}

func TestFeedAPIRefusesPrivate(t *testing.T) {
	_, h, token := digestServer(t)
	w := do(t, h, "POST", "/api/v1/feeds", token, `{"url":"http://127.0.0.1:1/feed.xml","list":"news"}`)
	var got errorBody
	json.Unmarshal(w.Body.Bytes(), &got)
	if w.Code != 422 || got.Fields["url"] == "" {
		t.Errorf("private feed: %d %s, want 422 on url", w.Code, w.Body)
	}
}
