package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

var trackSecret = []byte("track secret 0123456789abcdef012")

// trackEnv is a server with the redirect and the pixel over a real
// SQLite file.
type trackEnv struct {
	db     *sqlite.DB
	h      http.Handler
	tokens *tracking.Signer
	rec    *tracking.Recorder
}

func newTrackEnv(t testing.TB) *trackEnv {
	t.Helper()
	db := sqlitetest.Open(t)
	tmpl, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &trackEnv{db: db, tokens: tracking.NewSigner(trackSecret)}
	e.rec = tracking.NewRecorder(db, trackSecret, tracking.RecorderOptions{Log: log})
	t.Cleanup(func() { e.rec.Close() })
	s := &Server{Log: log, BaseURL: "http://news.test",
		SubscriberDeps: SubscriberDeps{Pages: tmpl},
		TrackDeps:      TrackDeps{Tokens: e.tokens, Links: tracking.NewLinks(db), Recorder: e.rec}}
	e.h = s.Handler()
	return e
}

// campaign stores a sent campaign with links and n deliveries, returning
// its id and the deliveries' ids.
func (e *trackEnv) campaign(t testing.TB, mode tracking.Mode, opens bool, links []string, n int) (int64, []int64) {
	t.Helper()
	now := sqlite.Now()
	res, err := e.db.Write.Exec(`INSERT INTO campaigns (subject, status, tracking, opens, created_at, updated_at) VALUES ('Issue', 'sent', ?, ?, ?, ?)`, string(mode), opens, now, now)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	for i, u := range links {
		if _, err := e.db.Write.Exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, ?, ?)`, id, i, u); err != nil {
			t.Fatal(err)
		}
	}
	if n > 0 {
		if _, err := e.db.Write.Exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
			INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
			SELECT 'c' || ? || 'r' || i || '@example.com', 'c' || ? || 'r' || i || '@example.com', 'confirmed', ?, ? FROM k`, n, id, id, now, now); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Write.Exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at)
			SELECT ?, id, 'sent', ?, ? FROM subscribers WHERE email LIKE ?`, id, now, now, fmt.Sprintf("c%dr%%", id)); err != nil {
			t.Fatal(err)
		}
	}
	var ds []int64
	rows, err := e.db.Read.Query(`SELECT id FROM deliveries WHERE campaign_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d int64
		rows.Scan(&d)
		ds = append(ds, d)
	}
	return id, ds
}

// link is the tracked URL path of link index of campaign for delivery
// (0: none).
func (e *trackEnv) link(campaign int64, index int, delivery int64) string {
	p := "/r/" + e.tokens.Link(campaign, index)
	if delivery != 0 {
		p += "." + e.tokens.Reader(campaign, delivery)
	}
	return p
}

func (e *trackEnv) do(method, path, ua string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	r.Header.Set("User-Agent", ua)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func (e *trackEnv) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
