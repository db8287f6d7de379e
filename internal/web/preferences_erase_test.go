package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

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

// The preferences page offers the reader their data, as the API's export
// gives it to an editor: the same JSON, theirs alone (another reader got
// the same campaign), as a file kept from caches and referrers. A GET
// changes nothing.
func TestPreferencesDataDownloadsTheReadersExport(t *testing.T) {
	e := newSubEnv(t, 0)
	ann, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	bob, _ := e.prefsReader("bob@example.org", "daily", "daily-news", "editors-desk")
	sendGoldenCampaign(t, e) // one delivery each, to daily-news and editors-desk

	page := e.do("GET", prefs, "", "")
	for _, want := range []string{
		"<h2>Your data</h2>",
		`<a href="` + prefs + `/data">Download your data</a>`,
		`<a href="` + prefs + `/erase">Delete your data</a>`,
	} {
		if !strings.Contains(page.Body.String(), want) {
			t.Errorf("the preferences page lacks %q:\n%s", want, page.Body)
		}
	}

	want := e.apiExport(ann.ID)
	w := e.do("GET", prefs+"/data", "", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s/data = %d:\n%s", prefs, w.Code, w.Body)
	}
	if want.Code != http.StatusOK || w.Body.String() != want.Body {
		t.Errorf("the download is not the API's export (%d):\n%s\n---\nwant\n%s", want.Code, w.Body, want.Body)
	}
	h := w.Header()
	for name, re := range map[string]string{
		"Content-Type":           `^application/json; charset=utf-8$`,
		"Content-Disposition":    `^attachment; filename="my-data-\d{4}-\d\d-\d\d\.json"$`,
		"Cache-Control":          `^no-store$`,
		"Referrer-Policy":        `^no-referrer$`,
		"X-Content-Type-Options": `^nosniff$`,
	} {
		if got := h.Get(name); !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("%s: %q, want it to match %s", name, got, re)
		}
	}

	var exp subscribers.Export
	if err := json.Unmarshal(w.Body.Bytes(), &exp); err != nil {
		t.Fatal(err)
	}
	if exp.Subscriber == nil || exp.Subscriber.ID != ann.ID || exp.Subscriber.Email != ann.Email {
		t.Errorf("the download is of %+v, want reader %d, %s", exp.Subscriber, ann.ID, ann.Email)
	}
	var lists []string
	for _, s := range exp.Subscriptions {
		lists = append(lists, s.List)
	}
	if diff := cmp.Diff([]string{"daily-news"}, lists); diff != "" {
		t.Errorf("subscriptions (-want +got):\n%s", diff)
	}
	if len(exp.Deliveries) != 1 {
		t.Errorf("%d deliveries, want the reader's one: %+v", len(exp.Deliveries), exp.Deliveries)
	}
	if strings.Contains(w.Body.String(), bob.Email) || strings.Contains(w.Body.String(), "editors-desk") {
		t.Errorf("the download holds another reader's data:\n%s", w.Body)
	}
	if again := e.apiExport(ann.ID); again.Body != want.Body {
		t.Errorf("the export reads otherwise after the download:\n%s\n---\nwas\n%s", again.Body, want.Body)
	}
}

// A link whose token was changed, cut, or signed for another page (the
// unsubscribe link's, for the same reader) gets the preferences page's
// bad-link page at each of the data pages, and erases no one; a test
// send's link gets the page saying so, and erases no one either.
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
			{"GET", "/data"}, {"GET", "/erase"}, {"POST", "/erase"},
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
	for _, c := range []struct{ method, suffix string }{{"GET", "/data"}, {"GET", "/erase"}, {"POST", "/erase"}} {
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

// The erase link leads to a page that says what a press of its button
// does, and names the address; fetching it (a mail scanner, a link
// preview, a HEAD) changes nothing.
func TestPreferencesEraseAsksFirst(t *testing.T) {
	e := newSubEnv(t, 0)
	ann, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	before := e.apiExport(ann.ID)

	for _, method := range []string{"HEAD", "GET", "GET"} {
		if w := e.do(method, prefs+"/erase", "", ""); w.Code != http.StatusOK {
			t.Fatalf("%s %s/erase = %d:\n%s", method, prefs, w.Code, w.Body)
		}
	}
	w := e.do("GET", prefs+"/erase", "", "")
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
		`<a href="` + prefs + `/data">Download your data</a>`,
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
	closed := html.UnescapeString(e.do("GET", prefs+"/erase", "", "").Body.String())
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

// The erase page's button erases the reader as an editor's erase does
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
	if w := e.api("DELETE", fmt.Sprintf("/api/v1/subscribers/%d", cy.ID), ""); w.Code != http.StatusNoContent {
		t.Fatalf("the editor's erase = %d:\n%s", w.Code, w.Body)
	}

	w := e.do("POST", prefs+"/erase", postForm, "")
	body := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusOK || !strings.Contains(body, "<h1>Your data is deleted</h1>") ||
		!strings.Contains(body, "We will send you no more mail.") || !strings.Contains(body, "<title>Your data is deleted ·") {
		t.Fatalf("POST %s/erase = %d, want 200 saying it is done:\n%s", prefs, w.Code, body)
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
		{"POST", prefs + "/erase"}, {"GET", prefs + "/erase"}, {"GET", prefs + "/data"}, {"GET", prefs},
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
