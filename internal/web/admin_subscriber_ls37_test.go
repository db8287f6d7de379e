package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

var statusError = regexp.MustCompile(`<p class="error" id="status-error"[^>]*>([^<]*)</p>`)

// The add form starts with Pending chosen, so that an editor who skips
// the choice asks the reader by mail rather than vouching for a consent
// no one gave; it started with Confirmed. A form sent with neither is
// refused at the status, with the other faults and everything typed kept.
func TestAdminSubscriberAddStartsPendingLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	_, body := e.a.get("/admin/subscribers/new")
	if !strings.Contains(body, `value="pending" checked`) || strings.Contains(body, `value="confirmed" checked`) {
		t.Errorf("the add form does not start with Pending chosen, and Pending only:\n%s", body)
	}
	form := url.Values{"csrf": {e.csrf}, "email": {"zoe@example.com"}, "name": {"Zoë"}, "list": {"weekend-culture"}}
	resp, body := e.a.postBody("/admin/subscribers", form)
	m := statusError.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || m == nil || html.UnescapeString(m[1]) != noStatusMessage {
		t.Fatalf("add with no status = %d, status error %q; want 422 naming the choice:\n%s", resp.StatusCode, m, body)
	}
	for _, want := range []string{`value="zoe@example.com"`, `value="Zoë"`, `value="weekend-culture" checked`, `aria-describedby="status-error"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %s:\n%s", want, body)
		}
	}
	delete(form, "list")
	form.Set("email", "not an address")
	_, body = e.a.postBody("/admin/subscribers", form)
	if statusError.FindString(body) == "" || listsError.FindString(body) == "" || !strings.Contains(body, "Enter just the address") {
		t.Errorf("no status, no list and a bad address: want the three errors at once:\n%s", body)
	}
	if e.byEmail("zoe@example.com") != nil {
		t.Error("a reader was added with no status chosen")
	}
}

// With mail going to the outbox, the banners of a pending reader added,
// and of their confirmation sent again, say the mail was written there,
// not that it is on its way to them.
func TestAdminSubscriberPendingBannerSaysOutboxLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	out, err := mailer.NewOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Outbox = out
	form := url.Values{"csrf": {e.csrf}, "email": {"zoe@example.com"}, "list": {"daily-news"}, "status": {"pending"}}
	resp := e.a.post("/admin/subscribers", form)
	loc := resp.Header.Get("Location")
	if key, _, _ := flashSet(resp); resp.StatusCode != http.StatusSeeOther || key != "subscriber-added-pending-outbox" {
		t.Fatalf("add pending with an outbox = %d to %q with the banner %q", resp.StatusCode, loc, key)
	}
	_, body := e.a.get(loc)
	if text := html.UnescapeString(body); !strings.Contains(text, "written to the Outbox, not sent") || strings.Contains(text, "on its way") {
		t.Errorf("the banner does not say the mail went to the outbox:\n%s", body)
	}
	id := e.byEmail("zoe@example.com").ID
	e.backdateConfirm(id, 11*time.Minute)
	resp = e.a.post(fmt.Sprintf("/admin/subscribers/%d/confirmation", id), url.Values{"csrf": {e.csrf}})
	checkFlashRedirect(t, "resend with an outbox", resp, fmt.Sprintf("/admin/subscribers/%d", id), "confirmation-resent-outbox")
}

// backdateConfirm moves subscriber id's last confirmation mail ago back.
func (e *adminSubEnv) backdateConfirm(id int64, ago time.Duration) {
	e.t.Helper()
	if _, err := e.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`, time.Now().UTC().Add(-ago).Truncate(time.Microsecond), id); err != nil {
		e.t.Fatal(err)
	}
}

// A pending reader's page sends their confirmation again, by a button
// (a POST with the CSRF field): the new mail's link confirms, the old
// one's no longer does. One goes every ConfirmInterval at most, as a
// signup's: sooner, the page says when (429, Retry-After) and nothing
// is sent. A reader who is not pending gets none.
func TestAdminSubscriberResendConfirmationLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	form := url.Values{"csrf": {e.csrf}, "email": {"zoe@example.com"}, "list": {"daily-news"}, "status": {"pending"}}
	if resp := e.a.post("/admin/subscribers", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add pending = %d", resp.StatusCode)
	}
	e.runConfirmations()
	id := e.byEmail("zoe@example.com").ID
	page := fmt.Sprintf("/admin/subscribers/%d", id)
	action := fmt.Sprintf(`action="%s/confirmation"`, page)
	_, body := e.a.get(page)
	if !strings.Contains(body, "Not confirmed yet") || !strings.Contains(body, "Another can be sent from") || strings.Contains(body, "Send the confirmation again") {
		t.Errorf("a page within the interval offers a resend, or does not say when one can go:\n%s", body)
	}
	resp, body := e.a.postBody(page+"/confirmation", url.Values{"csrf": {e.csrf}})
	wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || wait < 1 || wait > 600 || !strings.Contains(body, "another can be sent from") {
		t.Errorf("a resend within the interval = %d, Retry-After %q; want 429 saying when:\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	e.runConfirmations()
	if n := len(e.sent.all()); n != 1 {
		t.Fatalf("%d mails after a refused resend, want 1", n)
	}

	e.backdateConfirm(id, 11*time.Minute)
	if _, body := e.a.get(page); !strings.Contains(body, action) || !strings.Contains(body, "Send the confirmation again") {
		t.Errorf("a pending reader's page has no resend button:\n%s", body)
	}
	if resp := e.a.post(page+"/confirmation", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a resend without the CSRF field = %d, want 403", resp.StatusCode)
	}
	resp = e.a.post(page+"/confirmation", url.Values{"csrf": {e.csrf}})
	checkFlashRedirect(t, "resend", resp, page, "confirmation-resent")
	e.runConfirmations()
	mails := e.sent.all()
	if len(mails) != 2 || mails[1].To[0] != "zoe@example.com" {
		t.Fatalf("mails after the resend: %d, want a second to zoe@example.com", len(mails))
	}
	first, second := confirmLink.FindStringSubmatch(mails[0].Raw), confirmLink.FindStringSubmatch(mails[1].Raw)
	if first == nil || second == nil || first[1] == second[1] {
		t.Fatalf("the new mail's link %q is not a new one (was %q)", second, first)
	}
	e.do("GET", first[1], "", "")
	if got := e.status(id); got != subscribers.StatusPending {
		t.Errorf("the replaced link made the reader %s", got)
	}
	e.do("GET", second[1], "", "")
	if got := e.status(id); got != subscribers.StatusConfirmed {
		t.Errorf("the new link left the reader %s", got)
	}
	resp, body = e.a.postBody(page+"/confirmation", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Only a pending reader") {
		t.Errorf("a resend to a confirmed reader = %d:\n%s", resp.StatusCode, body)
	}
	if _, body := e.a.get(page); strings.Contains(body, action) {
		t.Errorf("a confirmed reader's page offers a resend:\n%s", body)
	}
}

// The reader's page refuses to save them on no list, as the add form
// refuses to add them so, with its message, the other faults and what was
// typed: they were saved on nothing, "Saved.". An unsubscribed reader is
// on no list by definition.
func TestAdminSubscriberPageNeedsAListLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	ann := e.addReader("ann@example.com", "daily-news")
	page := fmt.Sprintf("/admin/subscribers/%d", ann.ID)
	form := url.Values{"csrf": {e.csrf}, "email": {"ann@example.com"}, "name": {"Ann Bell"}, "status": {"confirmed"}, "frequency": {"daily"}}
	resp, body := e.a.postBody(page, form)
	m := listsError.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || m == nil || html.UnescapeString(m[1]) != noListMessage || !strings.Contains(body, `value="Ann Bell"`) {
		t.Errorf("saved on no list = %d, lists error %q; want 422 with the add form's message, the name kept:\n%s", resp.StatusCode, m, body)
	}
	if got := e.byEmail("ann@example.com"); got.Name != "" || len(got.Lists) != 1 {
		t.Errorf("the refused save changed Ann: %+v", got)
	}
	e.addReader("bo@example.com", "daily-news")
	form.Set("email", "Bo@example.com")
	form.Set("frequency", "hourly")
	_, body = e.a.postBody(page, form)
	if listsError.FindString(body) == "" || !strings.Contains(body, "exists already") || !strings.Contains(body, "Use daily or weekly.") {
		t.Errorf("no list, a taken address and a bad frequency: want the three errors at once:\n%s", body)
	}
	form.Set("email", "ann@example.com")
	form.Set("frequency", "daily")
	form.Set("status", "unsubscribed")
	if resp := e.a.post(page, form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("unsubscribed on no list = %d, want it saved", resp.StatusCode)
	}
}

// The reader's page shows their attributes, escaped, a text as it is and
// any other value as JSON: only their JSON export showed them.
func TestAdminSubscriberPageShowsAttributesLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	sub, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: "ann@example.com", Status: subscribers.StatusConfirmed,
		Lists: []string{"daily-news"}, Attributes: map[string]any{"city": "Leith", "tags": []any{"port", "arts"}, "note": "<b>hi</b>"}})
	if err != nil {
		t.Fatal(err)
	}
	_, body := e.a.get(fmt.Sprintf("/admin/subscribers/%d", sub.ID))
	rows := regexp.MustCompile(`<td data-label="Name"[^>]*><code>([^<]*)</code></td><td data-label="Value"[^>]*>([^<]*)</td>`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+"="+r[2])
	}
	want := "city=Leith note=&lt;b&gt;hi&lt;/b&gt; tags=[&#34;port&#34;,&#34;arts&#34;]"
	if strings.Join(got, " ") != want {
		t.Errorf("attributes shown: %q, want %q:\n%s", strings.Join(got, " "), want, body)
	}
}

// A status or a list in the link that none of the menus offers (a
// link to a deleted list, a status typed by hand) is named as such, and
// the page shows what the menus then say, any status and all lists: it
// said that no subscriber matched under "Any status" and "All lists".
func TestAdminSubscribersUnknownFilterLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	e.addReader("ann@example.com", "daily-news")
	e.addReader("bo@example.com", "weekend-culture")
	for _, tt := range []struct{ query, note string }{
		{"status=bogus", "The link's status “bogus” is none of confirmed, pending, unsubscribed, bounced: the page shows every status."},
		{"list=old-news", "The link's list “old-news” is no list now (it was deleted, or its slug changed): the page shows every list's subscribers."},
	} {
		resp, body := e.a.get("/admin/subscribers?" + tt.query)
		text := html.UnescapeString(body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(text, `role="alert">`+tt.note+`</p>`) ||
			!strings.Contains(body, "ann@example.com") || !strings.Contains(body, "bo@example.com") || strings.Contains(body, " selected>") {
			t.Errorf("?%s = %d; want the note %q and every reader, no menu choice:\n%s", tt.query, resp.StatusCode, tt.note, body)
		}
	}
	_, body := e.a.get("/admin/subscribers?list=Daily-News")
	if !strings.Contains(body, `<option value="daily-news" selected>`) || strings.Contains(body, "bo@example.com") || strings.Contains(body, `role="alert"`) {
		t.Errorf("?list=Daily-News does not filter on daily-news:\n%s", body)
	}
}

// The import report speaks to the editor: a line with no address says the
// cell is empty, where it said "enter your email address", the signup
// form's words to a reader.
func TestAdminImportEmptyAddressWordingLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	report := html.UnescapeString(e.importReport("email,name,lists\nann@example.com,Ann,daily-news\n,Nobody,daily-news\n", nil))
	if !strings.Contains(report, "email: the cell is empty: write the reader's address in it, or take the line out") || strings.Contains(report, "your email") {
		t.Errorf("the report of a line without an address:\n%s", report)
	}
}
