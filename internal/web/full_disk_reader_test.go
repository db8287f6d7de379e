package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// fillAll makes the disk full for a write to any table of e's database
// (sqlitetest.Fill), as a full disk is for every write, and returns the
// tables, for sqlitetest.Free. Virtual tables take no trigger: a write to
// one writes its shadow tables, which have them.
func fillAll(t *testing.T, e *subEnv) []string {
	t.Helper()
	rows, err := e.db.Read.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	sqlitetest.Fill(t, e.db, tables...)
	return tables
}

// With the disk full, the reader's own links answered 500 "Something
// went wrong" where the signup form answers 503: the confirmation link,
// the unsubscribe buttons and one-click (of all mail and of a list's),
// and the saves of the preferences page (name, lists, digest frequency)
// and its erase. Each answers 503 with Retry-After, saying that the
// service is briefly unavailable and to try again in a minute, with a
// way back to the page and no database words; nothing changed, and the
// same request works once space is freed. The unsubscribe page, which
// writes nothing, still shows.
func TestFullDiskReaderPagesAnswer503(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "morning-brief", Name: "Morning Brief", Public: true, Digest: "daily", DigestHour: 7, Timezone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	daily, err := e.store.ListBySlug(ctx, "daily-news")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.signups.Signup(ctx, &subscribers.Signup{Email: "pending@example.com", Lists: []string{"daily-news"}}); err != nil {
		t.Fatal(err)
	}
	pending := e.lastID()
	confirm := "/confirm/" + e.confirmToken(pending)
	reader, prefs := e.prefsReader("reader@example.com", "weekly", "daily-news", "weekend-culture", "morning-brief")
	unsub := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, reader.ID, 0)
	leave := "/unsubscribe/" + e.signer.SignList(reader.ID, daily.ID)
	erase := "/erase/" + e.signer.SignUntil(subscribers.TokenDataErase, reader.ID, time.Now().Add(time.Hour))
	shown := []string{"daily-news", "morning-brief", "weekend-culture"}

	cases := []struct {
		name, method, path string
		form               url.Values
		back               string
	}{
		{"confirmation link", "GET", confirm, nil, confirm},
		{"confirmation button", "POST", confirm, url.Values{}, confirm},
		{"unsubscribe button", "POST", unsub, url.Values{"List-Unsubscribe": {"One-Click"}, "page": {"1"}}, unsub},
		{"unsubscribe one-click", "POST", unsub, url.Values{"List-Unsubscribe": {"One-Click"}}, unsub},
		{"leave a list's button", "POST", leave, url.Values{"List-Unsubscribe": {"One-Click"}, "page": {"1"}}, leave},
		{"leave a list's one-click", "POST", leave, url.Values{"List-Unsubscribe": {"One-Click"}}, leave},
		{"preferences: name", "POST", prefs, url.Values{"name": {"After"}, "frequency": {"weekly"},
			"list": {"daily-news", "weekend-culture", "morning-brief"}, "shown": shown}, prefs},
		{"preferences: lists", "POST", prefs, url.Values{"name": {"Before"}, "frequency": {"weekly"},
			"list": {"weekend-culture"}, "shown": shown}, prefs},
		{"preferences: digest frequency", "POST", prefs, url.Values{"name": {"Before"}, "frequency": {"daily"},
			"list": {"daily-news", "weekend-culture", "morning-brief"}, "shown": shown}, prefs},
		{"erase link", "POST", erase, url.Values{}, erase},
	}

	tables := fillAll(t, e)
	if w := e.do("GET", unsub, "", ""); w.Code != http.StatusOK {
		t.Errorf("the unsubscribe page on a full disk: %d, want it shown:\n%s", w.Code, w.Body)
	}
	for _, c := range cases {
		var w = e.do(c.method, c.path, "", "")
		if c.form != nil {
			w = e.form(c.path, c.form)
		}
		page := w.Body.String()
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "60" {
			t.Errorf("%s on a full disk: %d, Retry-After %q; want 503 and 60:\n%s", c.name, w.Code, w.Header().Get("Retry-After"), page)
			continue
		}
		for _, want := range []string{"<h1>Briefly unavailable</h1>", "The server cannot store anything right now, so nothing was changed.",
			"Please try again in a minute.", `href="` + c.back + `"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s on a full disk: the page lacks %q:\n%s", c.name, want, page)
			}
		}
		if low := strings.ToLower(page); strings.Contains(low, "sql") || strings.Contains(low, "database or disk") {
			t.Errorf("%s on a full disk: the page shows the database's words:\n%s", c.name, page)
		}
	}
	if st := e.status(pending); st != subscribers.StatusPending {
		t.Errorf("the pending reader is %s after a confirmation on a full disk", st)
	}
	got, err := e.store.Get(ctx, reader.ID)
	if err != nil {
		t.Fatalf("the reader after their saves on a full disk: %v", err)
	}
	if got.Status != subscribers.StatusConfirmed || got.Name != "Before" || got.Frequency != "weekly" || len(got.Lists) != 3 {
		t.Errorf("the reader changed on a full disk: %s, %q, %s, %v", got.Status, got.Name, got.Frequency, got.Lists)
	}

	sqlitetest.Free(t, e.db, tables...)
	if w := e.do("GET", confirm, "", ""); w.Code != http.StatusOK || e.status(pending) != subscribers.StatusConfirmed {
		t.Errorf("confirmation once space is freed: %d, %s", w.Code, e.status(pending))
	}
	e.savePrefs(prefs, cases[8].form)
	if w := e.form(leave, url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK {
		t.Errorf("leaving a list once space is freed: %d", w.Code)
	}
	if w := e.form(unsub, url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK || e.status(reader.ID) != subscribers.StatusUnsubscribed {
		t.Errorf("unsubscribe once space is freed: %d, %s", w.Code, e.status(reader.ID))
	}
}
