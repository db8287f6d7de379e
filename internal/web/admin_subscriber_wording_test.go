package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// addReader adds a confirmed reader on lists, as an admin who vouches
// for them does.
func (e *adminSubEnv) addReader(email string, lists ...string) *subscribers.Subscriber {
	e.t.Helper()
	sub, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: email, Status: subscribers.StatusConfirmed, Lists: lists})
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

// The add form speaks to the admin: an empty address asks for the
// subscriber's, not "your", and a taken one says so at the Email field,
// linking to the page of the subscriber who has it.
func TestAdminSubscriberAddSaysWhoseAddress(t *testing.T) {
	e := newAdminSubEnv(t)
	ann := e.addReader("ann@example.com")
	resp, body := e.a.postBody("/admin/subscribers", url.Values{"csrf": {e.csrf}, "email": {"  "}, "status": {"confirmed"}})
	emailError := regexp.MustCompile(`<p class="error" id="email-error">(.*?)</p>`)
	m := emailError.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || m == nil || html.UnescapeString(m[1]) != "Enter the subscriber's email address." {
		t.Errorf("empty address = %d, email error %q, want “Enter the subscriber's email address.”", resp.StatusCode, m)
	}

	resp, body = e.a.postBody("/admin/subscribers", url.Values{"csrf": {e.csrf}, "email": {"Ann@EXAMPLE.com"}, "status": {"pending"}})
	m = emailError.FindStringSubmatch(body)
	link := fmt.Sprintf(`<a href="/admin/subscribers/%d">`, ann.ID)
	if resp.StatusCode != http.StatusUnprocessableEntity || m == nil || !strings.Contains(m[1], "A subscriber with this address exists already.") || !strings.Contains(m[1], link) {
		t.Errorf("taken address = %d, email error %q, want it to say so and link %s:\n%s", resp.StatusCode, m, link, body)
	}
	if !strings.Contains(body, `aria-describedby="email-error"`) {
		t.Error("the Email field is not described by its error")
	}
}

// The list page's delete card names every state of a campaign that stops
// the delete: scheduled and paused as well as sending.
func TestAdminListDeleteCardNamesWhatStopsIt(t *testing.T) {
	e := newAdminSubEnv(t)
	resp, body := e.a.get("/admin/lists/daily-news")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/lists/daily-news = %d", resp.StatusCode)
	}
	if want := "A list cannot be deleted while a campaign to it is scheduled, sending or paused"; !strings.Contains(body, want) {
		t.Errorf("the delete card does not say %q", want)
	}
}

// The subscribers page counts in one form, one reader or many; the order
// is the Joined column's, said in its header.
func TestAdminSubscribersCountReadsAlike(t *testing.T) {
	e := newAdminSubEnv(t)
	for _, addr := range []string{"ann@example.com", "bo@example.com", "cy@example.com"} {
		e.addReader(addr)
	}
	count := regexp.MustCompile(`<p class="muted" style="margin-top:0">([^<]*)</p>`)
	for path, want := range map[string]string{
		"/admin/subscribers":                  "3 subscribers.",
		"/admin/subscribers?status=confirmed": "3 subscribers match these filters.",
		"/admin/subscribers?q=bo%40example":   "1 subscriber matches these filters.",
	} {
		_, body := e.a.get(path)
		if m := count.FindStringSubmatch(body); m == nil || m[1] != want {
			t.Errorf("%s says %q, want %q", path, m, want)
		}
		if !strings.Contains(body, `<th aria-sort="descending">Joined, newest first</th>`) {
			t.Errorf("%s: the Joined column does not say it is newest first", path)
		}
	}
}

// An upload whose header names no email column stops before any line,
// list chosen or not, saying so and naming the file's columns: it used to
// say the file had no lists column, or read the header as a bad address.
func TestAdminImportWithoutEmailColumnStops(t *testing.T) {
	e := newAdminSubEnv(t)
	for _, extra := range []url.Values{nil, {"list": {"daily-news"}}} {
		body := html.UnescapeString(e.importReport("name,lists\nX,daily-news\n", extra))
		for _, want := range []string{"Import stopped", "The file has no email column: its first line names the columns “name”, “lists”.", "“email”"} {
			if !strings.Contains(body, want) {
				t.Errorf("list %q: the page lacks %q:\n%s", extra.Get("list"), want, body)
			}
		}
		if strings.Contains(body, "no lists column") || strings.Contains(body, "Invalid line") {
			t.Errorf("list %q: the page reads the header as a row, or asks for a lists column:\n%s", extra.Get("list"), body)
		}
	}
}
