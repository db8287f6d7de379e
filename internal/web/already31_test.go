package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// sendConfirmationsOver runs every confirmation task waiting in Redis
// through a Confirmer that sends over SMTP to srv, on loopback, as serve
// does.
func (e *subEnv) sendConfirmationsOver(srv *smtptest.Server) {
	e.t.Helper()
	e.runConfirmationsVia(mailtest.SMTPTo(e.t, srv.URL()))
}

var readerLink = regexp.MustCompile(`http://news\.test(/(?:preferences|unsubscribe)/[A-Za-z0-9_-]+)`)

// A confirmed reader who signs up again for a list they are on, by the
// API or the form, gets an answer byte for byte the same as a new
// address's, and one mail over SMTP: not a confirmation, but their
// preferences and unsubscribe links, which open their own preferences
// page and unsubscribe them through the real handlers.
func TestAlready31SignupOfConfirmedReaderMailsWorkingLinks(t *testing.T) {
	e := newSubEnv(t, 0)
	srv := smtptest.Start(t)
	ctx := context.Background()
	reader, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "rue@example.com", Name: "Rue", Status: subscribers.StatusConfirmed,
		Lists: []string{"daily-news", "weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}

	fresh := e.json("POST", "/api/v1/subscriptions", `{"email":"new@example.com","lists":["daily-news"]}`)
	known := e.json("POST", "/api/v1/subscriptions", `{"email":"Rue@Example.com","name":"Someone","lists":["daily-news"]}`)
	if fresh.Code != http.StatusAccepted || known.Code != fresh.Code || known.Body.String() != fresh.Body.String() {
		t.Errorf("answers differ: %d %q vs %d %q", fresh.Code, fresh.Body, known.Code, known.Body)
	}
	if diff := cmp.Diff(fresh.Header(), known.Header()); diff != "" {
		t.Errorf("headers (-new +known):\n%s", diff)
	}
	e.sendConfirmationsOver(srv)
	if srv.Count("new@example.com") != 1 || srv.Count("rue@example.com") != 1 || srv.Total() != 2 {
		t.Fatalf("mails: new %d, known %d, in all %d; want one each", srv.Count("new@example.com"), srv.Count("rue@example.com"), srv.Total())
	}
	var already *mailtest.Mail
	for _, m := range srv.Messages() {
		pm := mailtest.Parse(t, m.Data)
		switch m.To[0] {
		case "new@example.com":
			if pm.Header.Get("Subject") != "Confirm your subscription to Harbour Gazette" || readerLink.MatchString(pm.Text) {
				t.Errorf("the new address got %q, with links %v", pm.Header.Get("Subject"), readerLink.FindAllString(pm.Text, -1))
			}
		case "rue@example.com":
			already = pm
		}
	}
	if already == nil {
		t.Fatal("no mail to the known reader")
	}
	if s := already.Header.Get("Subject"); s != "Your subscription to Harbour Gazette" || confirmLink.MatchString(already.Text) {
		t.Fatalf("the known reader got %q:\n%s", s, already.Text)
	}
	if !strings.Contains(strings.Join(strings.Fields(already.Text), " "), "(Daily News, Weekend Culture)") { // wrapped as prose
		t.Errorf("the mail does not name the reader's lists:\n%s", already.Text)
	}
	links := map[string]string{}
	for _, m := range readerLink.FindAllStringSubmatch(already.Text, -1) {
		links[strings.Split(m[1], "/")[1]] = m[1]
		if !strings.Contains(already.HTML, `href="`+m[0]+`"`) {
			t.Errorf("the HTML part lacks %s", m[0])
		}
	}

	// The form, for the same address within the interval: the same answer
	// as a new address's, and no second mail.
	f1 := e.form("/subscribe", url.Values{"email": {"form-new@example.com"}, "list": {"daily-news"}})
	f2 := e.form("/subscribe", url.Values{"email": {"rue@example.com"}, "list": {"weekend-culture"}})
	if f1.Code != f2.Code || f1.Header().Get("Location") != f2.Header().Get("Location") || f1.Body.String() != f2.Body.String() {
		t.Errorf("form answers differ: %d %q vs %d %q", f1.Code, f1.Header().Get("Location"), f2.Code, f2.Header().Get("Location"))
	}
	e.sendConfirmationsOver(srv)
	if n := srv.Count("rue@example.com"); n != 1 {
		t.Errorf("%d mails to the known reader after a second signup within minutes, want still 1", n)
	}

	w := e.do("GET", links["preferences"], "", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "For rue@example.com") || !strings.Contains(w.Body.String(), "Weekend Culture") {
		t.Fatalf("GET the preferences link: %d\n%s", w.Code, w.Body)
	}
	if w := e.do("GET", links["unsubscribe"], "", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Stop all mail to <strong>rue@example.com</strong>?") {
		t.Fatalf("GET the unsubscribe link: %d\n%s", w.Code, w.Body)
	}
	if got := e.status(reader.ID); got != subscribers.StatusConfirmed {
		t.Fatalf("status %s before the button, want confirmed: the signup and the GETs change nothing", got)
	}
	if w := e.do("POST", links["unsubscribe"], "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"); w.Code != http.StatusOK ||
		!strings.Contains(w.Body.String(), "You are unsubscribed") {
		t.Fatalf("POST the unsubscribe link: %d\n%s", w.Code, w.Body)
	}
	if got := e.status(reader.ID); got != subscribers.StatusUnsubscribed {
		t.Errorf("status %s after the unsubscribe button, want unsubscribed", got)
	}
}

// A broken unsubscribe or preferences link's page tells the reader that
// signing up again with their address mails them fresh links, and links
// the signup form.
func TestAlready31BadLinkPagesOfferTheSignupForm(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, path := range []string{"/unsubscribe/not-a-token", "/preferences/not-a-token"} {
		w := e.do("GET", path, "", "")
		body := w.Body.String()
		if w.Code != http.StatusBadRequest || !strings.Contains(body, `Sign up again on the <a href="/subscribe">signup form</a> with your address`) ||
			!strings.Contains(body, "if you are subscribed, we mail you a fresh") {
			t.Errorf("GET %s = %d, without the way to fresh links:\n%s", path, w.Code, body)
		}
	}
}
