package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

const postForm = "application/x-www-form-urlencoded"

// present reports whether subscriber id still has a row.
func (e *subEnv) present(id int64) bool {
	e.t.Helper()
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers WHERE id = ?`, id).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n == 1
}

// apiExport is the API's export of subscriber id, as GET
// /api/v1/subscribers/{id}/export answers it.
func (e *subEnv) apiExport(id int64) *exportAnswer {
	e.t.Helper()
	w := e.api("GET", fmt.Sprintf("/api/v1/subscribers/%d/export", id), "")
	return &exportAnswer{Code: w.Code, Body: w.Body.String()}
}

type exportAnswer struct {
	Code int
	Body string
}

// The preferences page offers the reader their data and its erasure,
// each by a page that mails the link (preferences_data_link_test.go).
func TestPreferencesPageOffersTheData(t *testing.T) {
	e := newSubEnv(t, 0)
	_, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	page := e.do("GET", prefs, "", "")
	for _, want := range []string{
		"<h2>Your data</h2>",
		`<a href="` + prefs + `/data">Download your data</a>: everything we hold about you, in one file (JSON). We mail you the link.`,
		`<a href="` + prefs + `/erase">Delete your data</a>: your address, your lists and the record of what we sent you, for good. We mail you a link to confirm it.`,
	} {
		if !strings.Contains(page.Body.String(), want) {
			t.Errorf("the preferences page lacks %q:\n%s", want, page.Body)
		}
	}
}

// A preferences link whose token was changed, cut, or signed for another
// page (the unsubscribe link's, for the same reader) gets the preferences
// page's bad-link page at each of the pages that ask for a data link,
// and erases no one; a test send's link gets the page saying so, and
// erases no one either.
func TestPreferencesDataBadLinksEraseNothing(t *testing.T) {
	e := newSubEnv(t, 0)
	ann, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	token := strings.TrimPrefix(prefs, "/preferences/")
	// One character of the signature changed, in the middle, where every
	// bit counts.
	mid := len(token) - 8
	tampered := token[:mid] + map[bool]string{true: "B", false: "A"}[token[mid] == 'A'] + token[mid+1:]
	before := e.apiExport(ann.ID)

	for _, tok := range []string{
		tampered,
		token[:len(token)-3],
		e.signer.Sign(subscribers.TokenUnsubscribe, ann.ID, 0),
		"not-a-token",
	} {
		for _, c := range []struct{ method, suffix string }{
			{"GET", "/data"}, {"POST", "/data"}, {"GET", "/erase"}, {"POST", "/erase"},
		} {
			path := "/preferences/" + tok + c.suffix
			w := e.do(c.method, path, postForm, "")
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "<h1>This preferences link does not work</h1>") {
				t.Errorf("%s %s = %d, want 400 and the bad-link page:\n%s", c.method, path, w.Code, w.Body)
			}
			if strings.Contains(w.Body.String(), ann.Email) {
				t.Errorf("%s %s names the reader", c.method, path)
			}
		}
	}
	for _, c := range []struct{ method, suffix string }{{"GET", "/data"}, {"POST", "/data"}, {"GET", "/erase"}, {"POST", "/erase"}} {
		path := "/preferences/" + campaigns.TestToken + c.suffix
		w := e.do(c.method, path, postForm, "")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "This link is from a test send") {
			t.Errorf("%s %s = %d, want 200 and the test-send page:\n%s", c.method, path, w.Code, w.Body)
		}
	}
	if !e.present(ann.ID) {
		t.Fatal("a bad link erased the reader")
	}
	if after := e.apiExport(ann.ID); after.Body != before.Body {
		t.Errorf("the reader's data changed:\n%s\n---\nwas\n%s", after.Body, before.Body)
	}
}

// The mailed erase link leads to a page that says what a press of its
// button does, and names the address; fetching it (a mail scanner, a link
// preview, a HEAD) changes nothing. It offers a download link that works
// as long as it does, and the preferences page.
func TestPreferencesEraseAsksFirst(t *testing.T) {
	e := newSubEnv(t, 0)
	ann, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	link := "/erase/" + e.signer.SignUntil(subscribers.TokenDataErase, ann.ID, until)
	before := e.apiExport(ann.ID)

	for _, method := range []string{"HEAD", "GET", "GET"} {
		if w := e.do(method, link, "", ""); w.Code != http.StatusOK {
			t.Fatalf("%s %s = %d:\n%s", method, link, w.Code, w.Body)
		}
	}
	w := e.do("GET", link, "", "")
	body := html.UnescapeString(w.Body.String())
	for _, want := range []string{
		"<h1>Delete your data</h1>",
		"This deletes <strong>ann@example.org</strong> from our mailing list for good",
		"the record of the mails we sent you",
		"We will send you no more mail",
		"This cannot be undone.",
		`You can sign up again as a new reader, on the <a href="/subscribe">signup form</a>.`,
		"We cannot add your address back ourselves.",
		`<form method="post">`,
		`<button type="submit">Delete my data</button>`,
		`<a href="/data/` + e.signer.SignUntil(subscribers.TokenDataDownload, ann.ID, until) + `">Download your data</a>`,
		`<a href="` + prefs + `">Choose your lists</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the erase page lacks %q:\n%s", want, body)
		}
	}
	if got := w.Header().Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer", got)
	}
	// With no public list the site takes no signups: the page does not
	// send the reader to a form that answers "Not open yet".
	setPublic(t, e, false, "daily-news", "weekend-culture")
	closed := html.UnescapeString(e.do("GET", link, "", "").Body.String())
	if strings.Contains(closed, `href="/subscribe"`) || !strings.Contains(closed, "You can sign up again as a new reader once Bulletin takes signups on this site (it does not at the moment).") {
		t.Errorf("the erase page with signups closed:\n%s", closed)
	}
	if !e.present(ann.ID) {
		t.Fatal("fetching the erase page erased the reader")
	}
	if after := e.apiExport(ann.ID); after.Body != before.Body {
		t.Errorf("the reader's data changed:\n%s\n---\nwas\n%s", after.Body, before.Body)
	}
}

// The mailed erase link's button erases the reader as an editor's erase does
// (subscribers.Store.Erase): the row goes, the API knows them no more,
// the send workers are told, a subscriber.erased webhook event of the
// same shape as the editor's goes out, and an editor cannot add the
// address back. The page says it is done; from then on every page of the
// link, the button again included, is the erased page's 410. Another
// reader is untouched.
func TestPreferencesEraseErasesAsTheAdminDoes(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	e.store.SetGoneRecorder(&queue.GoneSet{Redis: e.queue.Redis(), Log: e.srv.Log})
	u, evs := "http://127.0.0.1:9/hook", []string{hooks.SubscriberErased}
	if _, err := hooks.NewStore(e.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	ann, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	bob, _ := e.prefsReader("bob@example.org", "daily", "daily-news")
	cy, _ := e.prefsReader("cy@example.org", "daily", "daily-news")
	later := time.Now().Add(time.Hour)
	link := "/erase/" + e.signer.SignUntil(subscribers.TokenDataErase, ann.ID, later)
	download := "/data/" + e.signer.SignUntil(subscribers.TokenDataDownload, ann.ID, later)
	if w := e.api("DELETE", fmt.Sprintf("/api/v1/subscribers/%d", cy.ID), ""); w.Code != http.StatusNoContent {
		t.Fatalf("the editor's erase = %d:\n%s", w.Code, w.Body)
	}

	w := e.do("POST", link, postForm, "")
	body := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusOK || !strings.Contains(body, "<h1>Your data is deleted</h1>") ||
		!strings.Contains(body, "We will send you no more mail.") || !strings.Contains(body, "<title>Your data is deleted ·") {
		t.Fatalf("POST %s = %d, want 200 saying it is done:\n%s", link, w.Code, body)
	}
	if strings.Contains(body, ann.Email) {
		t.Errorf("the page after the erase names the address:\n%s", body)
	}
	if e.present(ann.ID) {
		t.Fatal("the reader's row is still there")
	}
	if got := e.apiExport(ann.ID); got.Code != http.StatusNotFound {
		t.Errorf("the API's export after the erase = %d, want 404:\n%s", got.Code, got.Body)
	}
	if got, err := e.queue.Redis().ZScore(ctx, queue.GoneKey, strconv.FormatInt(ann.ID, 10)).Result(); err != nil {
		t.Errorf("the send workers were not told (%v, %v)", got, err)
	}
	if erased, err := e.store.Erased(ctx, ann.Email); err != nil || !erased {
		t.Errorf("Erased(%s) = %v, %v; want true", ann.Email, erased, err)
	}
	if w := e.api("POST", "/api/v1/subscribers", `{"email":"ann@example.org","status":"confirmed","lists":["daily-news"]}`); w.Code != http.StatusConflict {
		t.Errorf("an editor adding the address back = %d, want 409:\n%s", w.Code, w.Body)
	}

	byID := erasedEvents(t, e)
	admin, reader := byID[cy.ID], byID[ann.ID]
	if admin == nil || reader == nil {
		t.Fatalf("subscriber.erased events by id: %v; want the editor's (%d) and the reader's (%d)", byID, cy.ID, ann.ID)
	}
	if reader["email"] != ann.Email {
		t.Errorf("the reader's event names %v, want %s", reader["email"], ann.Email)
	}
	keys := func(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
	if diff := cmp.Diff(keys(admin), keys(reader)); diff != "" {
		t.Errorf("the reader's event is not of the editor's shape (-editor +reader):\n%s", diff)
	}

	for _, c := range []struct{ method, path string }{
		{"POST", link}, {"GET", link}, {"GET", download}, {"GET", prefs + "/erase"}, {"GET", prefs + "/data"}, {"GET", prefs},
	} {
		w := e.do(c.method, c.path, postForm, "")
		if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "<h1>The address of this link was erased</h1>") {
			t.Errorf("%s %s after the erase = %d, want 410 and the erased page:\n%s", c.method, c.path, w.Code, w.Body)
		}
	}
	if !e.present(bob.ID) {
		t.Error("another reader was erased too")
	}
	if n := len(erasedEvents(t, e)); n != 2 {
		t.Errorf("%d subscriber.erased events after the second POST, want 2", n)
	}
}

// erasedEvents are the data of the subscriber.erased webhook events in
// the outbox, by subscriber id.
func erasedEvents(t *testing.T, e *subEnv) map[int64]map[string]any {
	t.Helper()
	rows, err := e.db.Read.Query(`SELECT body FROM webhook_events WHERE type = ?`, hooks.SubscriberErased)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]map[string]any{}
	for rows.Next() {
		var raw string
		var b struct{ Data map[string]any }
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &b); err != nil {
			t.Fatal(err)
		}
		id, _ := b.Data["id"].(float64)
		out[int64(id)] = b.Data
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
