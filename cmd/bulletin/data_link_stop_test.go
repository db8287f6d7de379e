package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// serve answers the data link button while the relay holds the mail
// (MAIL FROM stalls), and a stop that comes then waits for that mail to
// go before serve exits: the mail a reader was told of is not lost.
func TestServeStopSendsTheDataLinkAskedFor(t *testing.T) {
	in := newSignedInstall(t)
	m, _, stderr := testMain(t, in.env)
	base, stop := startServe(t, m)
	const addr = "tom.mcallister@example.org"
	prefs := in.preferencesPath(base, addr)

	in.srv.SetFaults(smtptest.Faults{Stall: true})
	defer in.srv.SetFaults(smtptest.Faults{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Post(base+prefs+"/erase", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the erase's button = %d while the relay stalls, want 303", resp.StatusCode)
	}

	stopped := make(chan int, 1)
	go func() { stopped <- stop() }()
	// Let the relay answer once serve is stopping: its listener is closed.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("serve did not start stopping")
		}
	}
	in.srv.SetFaults(smtptest.Faults{})
	if code := <-stopped; code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, stderr)
	}
	n := 0
	for _, msg := range in.srv.Messages() {
		if strings.Contains(string(msg.Data), "Subject: Delete your data from Harbour Gazette") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d erase link mails by the time serve stopped, want 1:\n%s", n, stderr)
	}
}
