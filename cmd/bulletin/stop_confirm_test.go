package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A SIGTERM while serve sends confirmation mails to a slow relay stops it
// within the stop, every confirmation task done or handed back: none is
// abandoned by the queue while it sends (asynq's "Quitting worker" after
// 5 s), which cut its connection with messages on the wire that the relay
// had taken, and the restart sent those again (a tester's stop sent 2
// confirmations twice). Each of 200 readers who signed up gets one
// confirmation, those not sent before the stop from the next serve's
// start-up pass.
func TestStopHandsBackConfirmationsCleanly(t *testing.T) {
	const n = 200
	srv := smtptest.Start(t)
	// One connection, each answer 100 ms late: 4 messages on the wire,
	// about 20 a second, so that the stop finds a task in the middle.
	relay := smtptest.Proxy(t, srv.Addr(), nil, smtptest.Delayed(100*time.Millisecond))
	c := newCluster(t, 0, 0, "BULLETIN_SMTP_URL=smtp://"+relay+"?tls=none", "BULLETIN_SMTP_CONNS=1", "BULLETIN_SIGNUP_RATE=0")
	serve, addr := c.start("serve1", "serve")
	signUpReaders(t, addr, n, 8)
	for deadline := time.Now().Add(30 * time.Second); srv.Total() < 20; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d confirmations after 30 s", srv.Total())
		}
	}
	terminate(t, serve, "serve1")
	atStop := srv.Total()
	log, _ := os.ReadFile(filepath.Join(c.data, "serve1.log"))
	if strings.Contains(string(log), "Quitting worker") {
		t.Errorf("the stop abandoned tasks while they sent:\n%s", log)
	}
	if atStop >= n {
		t.Fatalf("all %d confirmations went before the stop: nothing left to test", n)
	}

	_, _ = c.start("serve2", "serve")
	for deadline := time.Now().Add(60 * time.Second); srv.Recipients() < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d readers have their confirmation 60 s after the restart", srv.Recipients(), n)
		}
	}
	time.Sleep(time.Second) // a second copy, if any, is on its way
	twice := 0
	for i := range n {
		if got := srv.Count(fmt.Sprintf("reader%03d@example.com", i)); got != 1 {
			twice++
			t.Errorf("reader%03d@example.com got %d confirmations, want 1", i, got)
		}
	}
	t.Logf("%d confirmations before the stop, %d in all, %d readers mailed twice", atStop, srv.Total(), twice)
}

// signUpReaders signs up reader000@example.com … for the list news at
// serve's addr, n of them from workers clients at once, each answered 202.
func signUpReaders(t *testing.T, addr string, n, workers int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				body := fmt.Sprintf(`{"email":"reader%03d@example.com","lists":["news"]}`, i)
				resp, err := http.Post("http://"+addr+"/api/v1/subscriptions", "application/json", strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					t.Errorf("signup %d: %d", i, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
}
