package mailer

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

var pipeliningModes = []struct {
	name string
	opts []smtptest.Option
}{
	{"pipelined", nil},
	{"lock-step", []smtptest.Option{smtptest.WithoutPipelining()}},
}

func TestSendBatchDeliversEachOnce(t *testing.T) {
	for _, mode := range pipeliningModes {
		t.Run(mode.name, func(t *testing.T) {
			srv := smtptest.Start(t, mode.opts...)
			s := newSMTP(t, srv, nil)
			msgs := batch(500, "r")
			for i, err := range s.SendBatch(context.Background(), msgs) {
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			for _, m := range msgs {
				if n := srv.Count(m.To); n != 1 {
					t.Fatalf("%s got %d copies, want 1", m.To, n)
				}
			}
			if srv.Total() != 500 || srv.ConnStats().Total > DefaultSMTPConns {
				t.Errorf("%d messages over %d connections", srv.Total(), srv.ConnStats().Total)
			}
		})
	}
}

// TestSendBatchUnderFaults checks that whatever the server does, a message
// reported sent arrived once, one reported failed did not arrive, and only
// refused recipients count as permanent failures (a refused recipient may
// also fail for a 421 first).
func TestSendBatchUnderFaults(t *testing.T) {
	faults := smtptest.Faults{TempFailRate: 0.2, RejectDomain: "gone.test", DropDataRate: 0.05, ByeAfter: 7}
	for _, mode := range pipeliningModes {
		t.Run(mode.name, func(t *testing.T) {
			srv := smtptest.Start(t, append(mode.opts, smtptest.WithFaults(faults))...)
			s := newSMTP(t, srv, nil)
			msgs := batch(400, "r")
			for i := 0; i < len(msgs); i += 10 {
				msgs[i].To = strings.Replace(msgs[i].To, "y.test", "gone.test", 1)
			}
			sent := 0
			for i, err := range s.SendBatch(context.Background(), msgs) {
				rejected := strings.HasSuffix(msgs[i].To, "gone.test")
				switch n := srv.Count(msgs[i].To); {
				case err == nil && n == 1:
					sent++
				case err == nil || n != 0:
					t.Errorf("%s: error %v and %d copies", msgs[i].To, err, n)
				case errors.Is(err, ErrPermanent) && !rejected:
					t.Errorf("%s: error %v is permanent", msgs[i].To, err)
				}
			}
			if sent != srv.Total() || sent < 200 {
				t.Errorf("%d reported sent, server accepted %d", sent, srv.Total())
			}
		})
	}
}

func TestSendBatchBadAddress(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSMTP(t, srv, nil)
	msgs := batch(3, "r")
	msgs[1].To = "x@y.test>\r\nRSET"
	errs := s.SendBatch(context.Background(), msgs)
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], ErrPermanent) {
		t.Errorf("errors %v, want only the second, permanent", errs)
	}
	if srv.Total() != 2 {
		t.Errorf("%d messages, want 2", srv.Total())
	}
}

// chunks records each read and write of a server transcript separately.
type chunks struct {
	mu   sync.Mutex
	list []string
}

func (c *chunks) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, string(p))
	return len(p), nil
}

func (c *chunks) any(parts ...string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.list {
		if all(s, parts) {
			return true
		}
	}
	return false
}

func all(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestSendBatchPipelines checks, from what the server reads at once, that
// the envelope goes out in one write, after the previous message's data.
func TestSendBatchPipelines(t *testing.T) {
	for _, mode := range pipeliningModes {
		var log chunks
		srv := smtptest.Start(t, append(mode.opts, smtptest.WithDebug(&log))...)
		s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 1 })
		for _, err := range s.SendBatch(context.Background(), batch(5, "r")) {
			if err != nil {
				t.Fatal(err)
			}
		}
		pipelined := mode.opts == nil
		if got := log.any("MAIL FROM", "RCPT TO", "DATA\r\n"); got != pipelined {
			t.Errorf("%s: envelope in one read: %v", mode.name, got)
		}
		if got := log.any("\r\n.\r\nMAIL FROM"); got != pipelined {
			t.Errorf("%s: data end and next envelope in one read: %v", mode.name, got)
		}
	}
}
