package web

import (
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The data link mail goes after the answer: the button's POST is
// answered while the mail server, over TCP, holds its answer to the mail
// (it answers only once the test has the POST's answer), and the mail
// still arrives after it, once. The page is the one any other ask gets,
// so its time and its words tell whoever holds the preferences link
// nothing of the mailbox. Before, the mail was sent inside the request,
// which a slow relay held for up to 30 seconds.
func TestDataLinkPreferencesAnswerDoesNotWaitForTheMail(t *testing.T) {
	e := newSubEnv(t, 0)
	reached := make(chan struct{}, 4) // the mail server has the mail's data
	release := make(chan struct{})    // the mail server may answer
	srv := smtptest.Start(t, smtptest.WithAcceptReply(func(smtptest.Message) string {
		reached <- struct{}{}
		<-release
		return "OK: queued as DL1"
	}))
	tmpl, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	c := &subscribers.Confirmer{Store: e.store, Signer: e.signer, Templates: tmpl, Transport: mailtest.SMTPTo(t, srv.URL()),
		From: &mail.Address{Name: "Harbour Gazette", Address: "news@news.test"}, BaseURL: "http://news.test"}
	links := subscribers.NewDataLinks(c)
	e.srv.DataLinks = links
	defer links.Stop()
	released := false
	defer func() {
		if !released {
			close(release) // let the mail server go, whatever failed
		}
	}()
	ann, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")

	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() { answered <- e.do("POST", prefs+"/data", postForm, "") }()
	var w *httptest.ResponseRecorder
	select {
	case w = <-answered:
	case <-reached:
		// The mail is at the server, whose answer is held: the POST must
		// be answered without it. The wait only keeps a POST that waits
		// for the mail (the old code) from hanging the test.
		select {
		case w = <-answered:
		case <-time.After(20 * time.Second):
			t.Fatal("the POST is not answered while the mail server holds its answer to the mail")
		}
	}
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != prefs+"/data" {
		t.Fatalf("POST %s/data = %d to %q, want 303 to the page:\n%s", prefs, w.Code, w.Header().Get("Location"), w.Body)
	}
	page := e.followSaved(w)
	if !strings.Contains(page.Body.String(), "<h1>Check your email</h1>") {
		t.Errorf("the page after asking:\n%s", page.Body)
	}

	released = true
	close(release)
	links.Wait()
	if srv.Total() != 1 || srv.Count(ann.Email) != 1 {
		t.Fatalf("%d mails, %d to the reader; want the one, once", srv.Total(), srv.Count(ann.Email))
	}
	mailedDataLink(t, srv.Messages()[0], ann.Email, "Your data at Harbour Gazette")
	// Stop sends nothing more: the mail went once.
	links.Stop()
	if srv.Total() != 1 {
		t.Errorf("after the stop: %d mails, want 1", srv.Total())
	}
}
