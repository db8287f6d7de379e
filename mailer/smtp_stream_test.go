package mailer

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

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

func TestBatchAdapterStreams(t *testing.T) {
	out, err := NewOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b := Batch(out, 2)
	for i, err := range sendAsync(context.Background(), b.(StreamSender), batch(20, "e"), 3) {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
}
