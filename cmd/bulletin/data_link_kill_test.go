package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// serve killed with SIGKILL after the data link button answered (the
// reader told the mail is on its way) and before the mail went (its
// relay accepts the connection and never greets: no byte of the mail
// reaches a relay) lost the mail: the ask was held in memory only.
// The ask is committed before the answer now, and the next serve sends
// it, once; the serve after that sends nothing more, and the reader's
// turn holds: an ask again within 10 minutes mails nothing.
func TestServeKilledSendsTheDataLinkAfterItsRestart(t *testing.T) {
	relay := smtptest.Start(t)
	c := newCluster(t, 1, 0, "BULLETIN_SMTP_URL="+relay.URL(), "BULLETIN_BASE_URL=https://news.example")
	const addr = "reader00000@example.com"
	prefs := "/preferences/" + subscribers.NewSigner([]byte("integration-secret-0123456789abcdef01")).Sign(subscribers.TokenPreferences, 1, 0)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	press := func(base string) {
		t.Helper()
		resp, err := noRedirect.Post("http://"+base+prefs+"/erase", "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the erase's button = %d, want 303", resp.StatusCode)
		}
	}
	mails := func() (n int) {
		for _, m := range relay.Messages() {
			if m.To[0] == addr && strings.Contains(string(m.Data), "Subject: Delete your data from ") {
				n++
			}
		}
		return n
	}

	env := c.env
	c.env = append(env[:len(env):len(env)], "BULLETIN_SMTP_URL=smtp://"+smtptest.Silent(t)+"?tls=none")
	serve, base := c.start("serve1", "serve")
	press(base)
	time.Sleep(200 * time.Millisecond) // the sender is connecting
	kill9(t, serve)

	c.env = env
	serve, base = c.start("serve2", "serve")
	for deadline := time.Now().Add(20 * time.Second); mails() == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if n := mails(); n != 1 {
		terminate(t, serve, "serve2")
		t.Fatalf("%d erase link mails from the serve started after the kill, want the one asked for", n)
	}
	press(base) // within the interval: nothing
	terminate(t, serve, "serve2")
	serve, _ = c.start("serve3", "serve")
	time.Sleep(time.Second)
	terminate(t, serve, "serve3")
	if n := mails(); n != 1 {
		t.Errorf("%d erase link mails after the kill and two restarts, want 1", n)
	}
}
