package mailer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// pipeliningModes are the ways a message can go: as one BDAT chunk with
// the envelope pipelined (the server offers CHUNKING and PIPELINING, as
// smtptest does by default), with DATA pipelined, and lock-step.
var pipeliningModes = []struct {
	name string
	opts []smtptest.Option
}{
	{"chunked", nil},
	{"pipelined", []smtptest.Option{smtptest.WithoutChunking()}},
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
// also fail for a 421 first). The server refuses a MAIL FROM while a
// refused recipient's transaction is open, as Postfix does.
func TestSendBatchUnderFaults(t *testing.T) {
	faults := smtptest.Faults{TempFailRate: 0.2, RejectDomain: "gone.test", DropDataRate: 0.05, ByeAfter: 7, NestedMail: true}
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

// A refused recipient leaves the server's transaction open (NestedMail),
// and the server then refuses the next MAIL FROM but takes its RCPT TO and
// chunk: the messages pipelined behind the refused one must each go once
// under their own envelope, and only the refused recipients fail.
func TestSendBatchAfterRefusal(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{RejectDomain: "gone.test", NestedMail: true}))
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 1 })
	msgs := batch(40, "r")
	for i := 0; i < len(msgs); i += 3 {
		msgs[i].To = strings.Replace(msgs[i].To, "y.test", "gone.test", 1)
	}
	for i, err := range s.SendBatch(context.Background(), msgs) {
		gone := strings.HasSuffix(msgs[i].To, "gone.test")
		if n := srv.Count(msgs[i].To); gone && (!errors.Is(err, ErrPermanent) || n != 0) || !gone && (err != nil || n != 1) {
			t.Errorf("%s: error %v, %d copies", msgs[i].To, err, n)
		}
	}
	if srv.Total() != 26 {
		t.Errorf("server took %d messages, want 26", srv.Total())
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
// a message's commands go out in one write: with BDAT the envelope and the
// whole chunk, followed by the next message before the first is answered;
// with DATA the envelope after the previous message's data.
func TestSendBatchPipelines(t *testing.T) {
	for _, mode := range pipeliningModes {
		var log chunks
		srv := smtptest.Start(t, append(mode.opts, smtptest.WithDebug(&log))...)
		s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 1 })
		msgs := batch(5, "r")
		for _, err := range s.SendBatch(context.Background(), msgs) {
			if err != nil {
				t.Fatal(err)
			}
		}
		chunked := mode.name == "chunked"
		pipelined := mode.name == "pipelined"
		bdat := fmt.Sprintf("BDAT %d LAST\r\n", len(msgs[0].Data))
		if got := log.any("MAIL FROM", "RCPT TO", bdat+string(msgs[0].Data)); got != chunked {
			t.Errorf("%s: envelope and chunk in one read: %v", mode.name, got)
		}
		if got := log.any("LAST\r\n", "RSET\r\nMAIL FROM"); got != chunked {
			t.Errorf("%s: a chunk and the next message, after RSET, in one read: %v", mode.name, got)
		}
		if got := log.any("DATA\r\n"); got == chunked {
			t.Errorf("%s: DATA sent: %v", mode.name, got)
		}
		if got := log.any("MAIL FROM", "RCPT TO", "DATA\r\n"); got != pipelined {
			t.Errorf("%s: envelope in one read: %v", mode.name, got)
		}
		if got := log.any("\r\n.\r\nMAIL FROM"); got != pipelined {
			t.Errorf("%s: data end and next envelope in one read: %v", mode.name, got)
		}
		if srv.Total() != len(msgs) {
			t.Errorf("%s: server has %d messages, want %d", mode.name, srv.Total(), len(msgs))
		}
	}
}
