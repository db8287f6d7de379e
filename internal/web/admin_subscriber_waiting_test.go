package web

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// An import that asks a confirmed reader to confirm a list they are not
// on mails them a link, and their admin page says so: which list, when
// the mail went and until when its link works. It said nothing, so an
// editor saw no trace of the import's question. A reader with no waiting
// request (or one for lists they are on, or whose link no longer works)
// shows no such line.
func TestAdminSubscriberPageSaysWhatWaitsForTheirClick(t *testing.T) {
	e := newAdminSubEnv(t)
	id := e.addConfirmed("ada@example.com") // on Daily News and Weekend Culture
	other := e.addConfirmed("bo@example.com")
	page := func(id int64) string {
		t.Helper()
		resp, body := e.a.get("/admin/subscribers/" + strconv.FormatInt(id, 10))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the reader's page: %d", resp.StatusCode)
		}
		return html.UnescapeString(body)
	}
	if body := page(id); strings.Contains(body, "Asked to join") {
		t.Fatalf("a reader nothing waits for:\n%s", body)
	}
	e.importReport("email,lists\nada@example.com,editors-desk\nbo@example.com,daily-news\n", nil)
	e.runConfirmations() // until then the page says it is on its way
	body := page(id)
	if !strings.Contains(body, "Asked to join Editor's Desk: a mail went to them ") || !strings.Contains(body, "whose link adds it when they click it (it works until ") {
		t.Errorf("the page does not say what waits for the reader's click:\n%s", body)
	}
	if strings.Contains(body, "Asked to join Editor's Desk, Daily News") || strings.Contains(body, "Asked to join Daily News") {
		t.Errorf("the page names lists the reader is on:\n%s", body)
	}
	if body := page(other); strings.Contains(body, "Asked to join") {
		t.Errorf("a reader the import found on its list:\n%s", body)
	}
	// Once the link has stopped working, nothing waits any more.
	if _, err := e.db.Write.Exec(`UPDATE signup_requests SET requested_at = ? WHERE subscriber_id = ?`,
		time.Now().Add(-subscribers.ConfirmTTL-time.Minute), id); err != nil {
		t.Fatal(err)
	}
	if body := page(id); strings.Contains(body, "Asked to join") {
		t.Errorf("a request whose link no longer works:\n%s", body)
	}
}

// A confirmed reader's signup for more lists is not always mailed when it
// is made: within ConfirmInterval of the last mail it is held, and the
// mail naming it goes once the interval is over. The page said "a mail
// went to them <the signup's time>" whatever happened, so an editor read
// of a mail that never went. It now says where the mail stands: on its
// way, went (with its link's expiry, as the token has it), or held
// (when the next one goes, and the last mail's link that adds it
// meanwhile).
func TestAdminSubscriberPageSaysWhenTheirMailGoes(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "harbour-notes", Name: "Harbour Notes", Public: true}); err != nil {
		t.Fatal(err)
	}
	w := e.api("POST", "/api/v1/subscribers", `{"email":"ada@example.com","status":"confirmed","lists":["daily-news"]}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("add reader: %d %s", w.Code, w.Body)
	}
	id := e.byEmail("ada@example.com").ID
	page := func() string {
		t.Helper()
		resp, body := e.a.get("/admin/subscribers/" + strconv.FormatInt(id, 10))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the reader's page: %d", resp.StatusCode)
		}
		return html.UnescapeString(body)
	}
	sentAt := func() time.Time {
		t.Helper()
		var at time.Time
		if err := e.db.Read.QueryRow(`SELECT confirm_sent_at FROM subscribers WHERE id = ?`, id).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	when := func(t time.Time) string { return zoned(t, nil) }
	signup := func(list string) {
		t.Helper()
		if w := e.json("POST", "/api/v1/subscriptions", `{"email":"ada@example.com","lists":["`+list+`"]}`); w.Code >= 300 {
			t.Fatalf("signup: %d %s", w.Code, w.Body)
		}
		e.signups.Flush()
	}
	want := func(step, body string, wants ...string) {
		t.Helper()
		for _, s := range wants {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q:\n%s", step, s, body)
			}
		}
	}

	signup("weekend-culture")
	body := page()
	want("flagged", body, "Asked to join Weekend Culture: a mail is on its way to them whose link adds it when they click it")
	if strings.Contains(body, "a mail went to them") {
		t.Errorf("flagged: the page says a mail went:\n%s", body)
	}

	e.runConfirmations()
	first := sentAt()
	want("sent", page(), "Asked to join Weekend Culture: a mail went to them "+when(first)+
		" whose link adds it when they click it (it works until "+when(subscribers.ConfirmLinkUntil(first))+")")

	// A signup a moment later is held: no mail goes until ConfirmInterval
	// after the first, and the first mail's link adds its list too.
	signup("harbour-notes")
	if got := sentAt(); !got.Equal(first) {
		t.Fatalf("the held signup flagged a mail at %v", got)
	}
	body = page()
	want("held", body, "Asked to join Weekend Culture and Harbour Notes: a mail will go to them "+when(subscribers.ConfirmDueAt(first))+
		" whose link adds them when they click it",
		"The link of the mail that went to them "+when(first)+" adds them too (it works until "+when(subscribers.ConfirmLinkUntil(first))+")")
	if strings.Contains(body, "a mail went to them") || strings.Contains(body, "on its way") {
		t.Errorf("held: the page says a mail went or goes now:\n%s", body)
	}

	// The interval over, the reconciler flags the mail naming both.
	e.backdateConfirm(id, subscribers.ConfirmInterval+time.Minute)
	if _, err := e.db.Write.Exec(`UPDATE subscribers SET confirm_link_at = confirm_sent_at WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Reconcile(ctx, e.queue.Client); err != nil {
		t.Fatal(err)
	}
	want("due mail flagged", page(), "Asked to join Weekend Culture and Harbour Notes: a mail is on its way to them")
	e.runConfirmations()
	second := sentAt()
	if !second.After(first) {
		t.Fatalf("no new mail: %v, then %v", first, second)
	}
	want("due mail sent", page(), "Asked to join Weekend Culture and Harbour Notes: a mail went to them "+when(second)+
		" whose link adds them when they click it (it works until "+when(subscribers.ConfirmLinkUntil(second))+")")
}
