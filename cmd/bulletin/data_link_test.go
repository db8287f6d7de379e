package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// serve wires the data link mails: the preferences page's download
// button mails the reader one link, over SMTP from the From address,
// signed with both keys, and the link downloads the reader's export; a
// second press within 10 minutes mails nothing.
func TestServeMailsTheDataLink(t *testing.T) {
	in := newSignedInstall(t) // seeded: tom.mcallister@example.org is a confirmed reader of daily-news
	base, stop := in.serve()
	defer stop()
	const addr = "tom.mcallister@example.org"
	prefs := in.preferencesPath(base, addr)

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for range 2 {
		resp, err := noRedirect.Post(base+prefs+"/data", "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the download's button = %d, want 303", resp.StatusCode)
		}
	}
	isDataLink := func(m smtptest.Message) bool {
		return strings.Contains(string(m.Data), "Subject: Your data at Harbour Gazette")
	}
	msg := in.wait("data link mail", isDataLink)
	if len(msg.To) != 1 || msg.To[0] != addr || msg.From != "news@harbour.test" {
		t.Errorf("the data link went from %q to %v, want from news@harbour.test to %s", msg.From, msg.To, addr)
	}
	rsa, ed := in.keys()
	dkimtest.RequireValid(t, msg.Data, "harbour.test", 2, rsa, ed)
	dkimtest.RequireDkimpy(t, "harbour.test", 2, []dkim.Key{rsa, ed}, msg.Data)

	link := regexp.MustCompile(`https://harbour\.test/data/([A-Za-z0-9_-]+)`).FindStringSubmatch(mailtest.Parse(t, msg.Data).Text)
	if link == nil {
		t.Fatal("the mail has no download link")
	}
	id, _, err := subscribers.NewSigner([]byte(kindsSecret)).VerifyUntil(subscribers.TokenDataDownload, link[1])
	if err != nil {
		t.Fatalf("the link's token: %v", err)
	}
	got, err := http.Get(base + "/data/" + link[1])
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	body, _ := io.ReadAll(got.Body)
	var exp subscribers.Export
	if err := json.Unmarshal(body, &exp); err != nil || got.StatusCode != http.StatusOK || exp.Subscriber == nil || exp.Subscriber.ID != id || exp.Subscriber.Email != addr {
		t.Fatalf("the download = %d (%v):\n%s", got.StatusCode, err, body)
	}
	n := 0
	for _, m := range in.srv.Messages() {
		if isDataLink(m) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d data link mails for two presses, want 1", n)
	}
}

// preferencesPath is the path of the preferences link of addr, a
// confirmed reader of daily-news on the install serve at base runs:
// from the already-subscribed mail a second signup brings.
func (in *signedInstall) preferencesPath(base, addr string) string {
	t := in.t
	t.Helper()
	resp, err := http.Post(base+"/api/v1/subscriptions", "application/json", strings.NewReader(`{"email":"`+addr+`","lists":["daily-news"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	already := mailtest.Parse(t, in.wait("mail to the reader", func(m smtptest.Message) bool { return m.To[0] == addr }).Data)
	prefs := regexp.MustCompile(`https://harbour\.test(/preferences/[A-Za-z0-9_-]+)`).FindStringSubmatch(already.Text)
	if prefs == nil {
		t.Fatalf("no preferences link:\n%s", already.Text)
	}
	return prefs[1]
}
