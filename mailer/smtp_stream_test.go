package mailer

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// sendAsync hands msgs to s.SendAsync from several goroutines at once, as
// concurrent tasks do, and returns each message's outcome.
func sendAsync(ctx context.Context, s StreamSender, msgs []Outgoing, callers int) []error {
	errs := make([]error, len(msgs))
	var wg sync.WaitGroup
	wg.Add(len(msgs))
	var feeders sync.WaitGroup
	for c := range callers {
		feeders.Go(func() {
			for i := c; i < len(msgs); i += callers {
				s.SendAsync(ctx, msgs[i], func(err error) {
					errs[i] = err
					wg.Done()
				})
			}
		})
	}
	feeders.Wait()
	wg.Wait()
	return errs
}

func TestSendAsyncReportsEachOnce(t *testing.T) {
	for _, mode := range pipeliningModes {
		t.Run(mode.name, func(t *testing.T) {
			srv := smtptest.Start(t, append([]smtptest.Option{smtptest.WithFaults(smtptest.Faults{
				TempFailRate: 0.1, DropDataRate: 0.05, RejectDomain: "rejected.test",
			})}, mode.opts...)...)
			s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 3 })
			msgs := append(batch(300, "b"), Outgoing{From: "a@x.test", To: "r@rejected.test", Data: []byte(testMsg)})
			errs := sendAsync(context.Background(), s, msgs, 4)
			for i, m := range msgs {
				got := srv.Count(m.To)
				switch err := errs[i]; {
				case err == nil && got != 1:
					t.Errorf("%s: reported sent, server has %d copies", m.To, got)
				case errors.Is(err, ErrPermanent) && got != 0:
					t.Errorf("%s: reported bounced, server has %d copies", m.To, got)
				case got > 1:
					t.Errorf("%s: %d copies", m.To, got)
				}
			}
			if !errors.Is(errs[len(errs)-1], ErrPermanent) {
				t.Errorf("rejected address: %v, want a permanent error", errs[len(errs)-1])
			}
			if st := srv.ConnStats(); st.Peak > 3 {
				t.Errorf("connections %+v, want at most 3 at once", st)
			}
		})
	}
}

// TestSendAsyncSkipsWhatItsContextCancelled checks that messages whose
// caller gave up are not sent, except those already on the wire: one with
// DATA, up to a window's worth with BDAT.
func TestSendAsyncSkipsWhatItsContextCancelled(t *testing.T) {
	for _, mode := range pipeliningModes {
		srv := smtptest.Start(t, append(mode.opts, smtptest.WithDiscard())...)
		s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 1 })
		srv.SetFaults(smtptest.Faults{Stall: true})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan []error)
		go func() { done <- sendAsync(ctx, s, batch(chunkWindow+5, "c"), 1) }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		srv.SetFaults(smtptest.Faults{})
		errs := <-done
		wire := 1
		if mode.name == "chunked" {
			wire = chunkWindow
		}
		for i, err := range errs[wire:] {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s: message %d: %v, want it cancelled before it went out", mode.name, wire+i, err)
			}
		}
		if srv.Total() > wire {
			t.Errorf("%s: server has %d messages, want at most the %d on the wire", mode.name, srv.Total(), wire)
		}
	}
}

func TestSendAsyncAfterCloseFails(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithDiscard())
	s := newSMTP(t, srv, nil)
	s.Close()
	errs := sendAsync(context.Background(), s, batch(3, "d"), 1)
	for i, err := range errs {
		if err == nil {
			t.Errorf("message %d sent after Close", i)
		}
	}
}

// composed is a Composer whose message names its recipient.
type composed string

func (c composed) AppendTo(dst []byte) []byte {
	return append(dst, "From: a@x.test\r\nSubject: for "+string(c)+"\r\n\r\nHello.\r\n"...)
}

// peakTransport passes messages on to t and keeps the most it was given
// at the same time.
type peakTransport struct {
	t          Transport
	mu         sync.Mutex
	open, peak int
}

func (p *peakTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	p.mu.Lock()
	p.open++
	p.peak = max(p.peak, p.open)
	p.mu.Unlock()
	time.Sleep(time.Millisecond) // long enough for the others to pile up
	defer func() { p.mu.Lock(); p.open--; p.mu.Unlock() }()
	return p.t.Send(ctx, from, to, msg)
}

// TestBatchAdapterStreams streams messages through the adapter to the
// outbox and reads the outbox back: every message is there once, to its
// own recipient, with its own content, whether given as Data or Body.
func TestBatchAdapterStreams(t *testing.T) {
	out, err := NewOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pt := &peakTransport{t: out}
	b := Batch(pt, 2)
	msgs := batch(20, "e")
	want := map[string]string{} // recipient → message as filed
	for i := range msgs {
		m := &msgs[i]
		if i%2 == 1 {
			m.Data, m.Body = nil, composed(m.To)
		}
		body := testMsg
		if m.Body != nil {
			body = string(m.Body.AppendTo(nil))
		}
		want[m.To] = "X-Envelope-From: <a@x.test>\r\nX-Envelope-To: <" + m.To + ">\r\n" + body
	}
	for i, err := range sendAsync(context.Background(), b.(StreamSender), msgs, 3) {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	names, err := out.List(0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, name := range names {
		data, err := out.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(string(data), "\r\n\r\n")
		to := head[strings.Index(head, "X-Envelope-To: <")+len("X-Envelope-To: <"):]
		to = to[:strings.IndexByte(to, '>')]
		if _, dup := got[to]; dup {
			t.Errorf("%s: more than one message in the outbox", to)
		}
		got[to] = string(data)
	}
	if len(names) != len(msgs) {
		t.Errorf("outbox holds %d messages, want %d", len(names), len(msgs))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outbox by recipient (-want +got):\n%s", diff)
	}
	if pt.peak > 2 {
		t.Errorf("%d messages went to the transport at once, want at most 2", pt.peak)
	}
}

// A connection the server closed between two flights (a relay that hangs
// up on a client it thinks idle) took none of the next flight: the
// message goes again on a new connection, not failed as if the server
// might have taken it because it answered the flight before.
func TestSendAsyncRetriesAfterServerClosedBetweenFlights(t *testing.T) {
	for _, mode := range pipeliningModes {
		t.Run(mode.name, func(t *testing.T) { testRetryAfterServerClosed(t, mode.opts) })
	}
}

func testRetryAfterServerClosed(t *testing.T, opts []smtptest.Option) {
	srv := smtptest.Start(t, opts...)
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 1 })
	second := make(chan error, 1)
	s.SendAsync(context.Background(), Outgoing{From: "a@x.test", To: "one@example.com", Data: []byte(testMsg)}, func(err error) {
		if err != nil {
			t.Errorf("first message: %v", err)
		}
		// Still on the connection's goroutine: the connection is held,
		// and takes the next message with no dial between.
		srv.DropConns()
		time.Sleep(20 * time.Millisecond) // the server's FIN is back
		s.SendAsync(context.Background(), Outgoing{From: "a@x.test", To: "two@example.com", Data: []byte(testMsg)}, func(err error) {
			second <- err
		})
	})
	select {
	case err := <-second:
		if err != nil {
			t.Fatalf("second message, sent after the server closed the connection: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second message never reported")
	}
	if n := srv.Count("two@example.com"); n != 1 {
		t.Errorf("server has %d copies of the second message, want 1", n)
	}
	if st := srv.ConnStats(); st.Total != 2 {
		t.Errorf("%d connections, want 2 (the second message redialled)", st.Total)
	}
}
