package mailer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

func TestSMTPPoolNeverExceedsConns(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithDiscard())
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 3 })
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if err := s.Send(context.Background(), "a@x.test", []string{fmt.Sprint(i, "@y.test")}, []byte(testMsg)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		for i, err := range s.SendBatch(context.Background(), batch(100, "b")) {
			if err != nil {
				t.Errorf("batch message %d: %v", i, err)
			}
		}
	})
	wg.Wait()
	if st := srv.ConnStats(); st.Total > 3 || st.Peak > 3 {
		t.Errorf("connections %+v, want at most 3", st)
	}
	if srv.Total() != 140 {
		t.Errorf("%d messages, want 140", srv.Total())
	}
}

func TestSMTPRateLimit(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithDiscard())
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.Rate = 100 })
	start := time.Now()
	for i, err := range s.SendBatch(context.Background(), batch(11, "b")) {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	// 11 messages at 100/s with a burst of 1: ten waits of 10 ms. The
	// limiter cannot go faster, so only a lower bound is checked (the
	// bucket's level afterwards depends on how fast a loaded machine
	// finished the last message, so it is not).
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("11 messages in %v at 100/s, want at least 100ms", d)
	}
	if srv.Total() != 11 {
		t.Errorf("%d messages, want 11", srv.Total())
	}
}

func TestSMTPDeadlines(t *testing.T) {
	tests := []struct {
		name string
		addr func(t testing.TB) string
	}{
		{"silent at greeting", smtptest.Silent},
		{"stalls at MAIL FROM", func(t testing.TB) string {
			return smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{Stall: true})).Addr()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseSMTPURL("smtp://" + tt.addr(t) + "?tls=none")
			if err != nil {
				t.Fatal(err)
			}
			cfg.Timeout = 50 * time.Millisecond
			s, err := NewSMTP(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			start := time.Now()
			err = s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(testMsg))
			var se *SendError
			if !errors.As(err, &se) || se.Permanent {
				t.Fatalf("got %v, want a temporary SendError", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("gave up after %v with a 50ms timeout", d)
			}
		})
	}
}

func TestSMTPContext(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{Stall: true}))
	s := newSMTP(t, srv, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	errs := s.SendBatch(ctx, batch(3, "b"))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v, the context ended after 50ms", d)
	}
	for i, err := range errs {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("message %d: %v, want the context's error", i, err)
		}
	}
	cancel()
	if err := s.Send(ctx, "a@x.test", []string{"b@y.test"}, []byte(testMsg)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("send with an ended context: %v", err)
	}
}

func TestSMTPClosed(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSMTP(t, srv, nil)
	if err := s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(testMsg)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(testMsg)); err == nil {
		t.Fatal("send after Close worked")
	}
	waitFor(t, func() bool { return srv.ConnStats().Open == 0 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
	}
}

// batch returns n messages, each to its own address prefix+i@y.test.
func batch(n int, prefix string) []Outgoing {
	msgs := make([]Outgoing, n)
	for i := range msgs {
		msgs[i] = Outgoing{From: "a@x.test", To: fmt.Sprint(prefix, i, "@y.test"), Data: []byte(testMsg)}
	}
	return msgs
}
