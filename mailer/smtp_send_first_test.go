package mailer_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A message sent on its own (Send: an editor's test of a campaign) while
// a campaign streams to a slow server goes on the next connection to take
// a message, not once the campaign has gone: it waited for a connection
// of its own, which the stream kept until it ran dry, minutes for a large
// campaign. The campaign is not held up either: it is still going when
// the test arrives, and all of it arrives, once.
func TestSendGoesAheadOfTheStream(t *testing.T) {
	const n, slow = 60, 150 * time.Millisecond
	srv := smtptest.Start(t, smtptest.WithAcceptReply(func(m smtptest.Message) string {
		if strings.HasSuffix(m.To[0], "@readers.example") {
			time.Sleep(slow) // the campaign's messages, one by one
		}
		return "OK: queued"
	}))
	s := smtpAt(t, srv.Addr()) // 2 connections
	var campaign sync.WaitGroup
	var answered atomic.Int32
	for i := range n {
		to := fmt.Sprintf("reader%03d@readers.example", i)
		campaign.Add(1)
		s.SendAsync(context.Background(), mailer.Outgoing{From: "news@example.com", To: to,
			Data: []byte("To: " + to + "\r\nSubject: Issue 7\r\n\r\nHello\r\n")}, func(err error) {
			if err != nil {
				t.Errorf("campaign message to %s: %v", to, err)
			}
			answered.Add(1)
			campaign.Done()
		})
	}
	defer campaign.Wait()
	time.Sleep(3 * slow) // the campaign is on the wire
	start := time.Now()
	err := s.Send(context.Background(), "news@example.com", []string{"editor@example.com"},
		[]byte("To: editor@example.com\r\nSubject: [Test] Issue 7\r\n\r\nHello\r\n"))
	took := time.Since(start)
	left := n - int(answered.Load())
	if err != nil {
		t.Fatalf("test send: %v", err)
	}
	// Behind at most the messages its connection has on the wire.
	if took > 2*time.Second || left < n/3 {
		t.Errorf("the test send took %v, and arrived with %d of the campaign's %d messages left (all of it takes %v): want within 2 s, with the campaign still going",
			took.Round(time.Millisecond), left, n, n*slow/2)
	}
	campaign.Wait()
	if got := srv.Count("editor@example.com"); got != 1 {
		t.Errorf("the editor got %d tests, want 1", got)
	}
	for i := range n {
		if got := srv.Count(fmt.Sprintf("reader%03d@readers.example", i)); got != 1 {
			t.Errorf("reader%03d got %d messages, want 1", i, got)
		}
	}
}

// A Send whose context ends while it waits in the stream is not sent,
// and says so at once; the stream sends the rest.
func TestSendCancelledInTheStreamIsNotSent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{Stall: true}))
	s := smtpAt(t, srv.Addr())
	var campaign sync.WaitGroup
	for i := range 20 {
		campaign.Add(1)
		s.SendAsync(context.Background(), mailer.Outgoing{From: "news@example.com", To: fmt.Sprintf("reader%03d@readers.example", i),
			Data: []byte("Subject: Issue 7\r\n\r\nHello\r\n")}, func(error) { campaign.Done() })
	}
	time.Sleep(200 * time.Millisecond) // both connections stall on the campaign
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, "news@example.com", []string{"editor@example.com"}, []byte("Subject: [Test]\r\n\r\nHello\r\n"))
	if err == nil || !strings.Contains(err.Error(), "not sent") || time.Since(start) > 2*time.Second {
		t.Errorf("a test send whose context ended in the stream: %v after %v, want not sent, at once", err, time.Since(start))
	}
	srv.SetFaults(smtptest.Faults{})
	campaign.Wait()
	if got := srv.Count("editor@example.com"); got != 0 {
		t.Errorf("the editor got %d tests after the send gave up, want 0", got)
	}
	if got := srv.Total(); got != 20 {
		t.Errorf("the server took %d messages, want the campaign's 20", got)
	}
}
