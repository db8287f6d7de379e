package mailer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/logtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

const testMsg = "From: a@x.test\r\nSubject: hi\r\n\r\nHello.\r\n.A line with a dot.\r\n"

// newSMTP returns a transport to srv with a short timeout, changed by mod.
func newSMTP(t *testing.T, srv *smtptest.Server, mod func(*SMTPConfig)) *SMTP {
	t.Helper()
	cfg, err := ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLSConfig = srv.ClientTLSConfig()
	cfg.Timeout = 5 * time.Second
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSMTPSend(t *testing.T) {
	for _, mode := range pipeliningModes {
		srv := smtptest.Start(t, mode.opts...)
		s := newSMTP(t, srv, nil)
		for range 2 {
			if err := s.Send(context.Background(), "a@x.test", []string{"b@y.test", "c@y.test"}, []byte(testMsg)); err != nil {
				t.Fatal(err)
			}
		}
		want := smtptest.Message{From: "a@x.test", To: []string{"b@y.test", "c@y.test"}, Data: []byte(testMsg)}
		if diff := cmp.Diff([]smtptest.Message{want, want}, srv.Messages()); diff != "" {
			t.Errorf("%s: messages (-want +got):\n%s", mode.name, diff)
		}
		if n := srv.ConnStats().Total; n != 1 {
			t.Errorf("%s: %d connections, want 1 kept open", mode.name, n)
		}
	}
}

// sendErr describes an error as the tests compare it.
type sendErr struct {
	Code      int
	Permanent bool
}

func describe(err error) *sendErr {
	var se *SendError
	if !errors.As(err, &se) {
		return nil
	}
	if errors.Is(err, ErrPermanent) != se.Permanent {
		panic("errors.Is(ErrPermanent) disagrees with Permanent")
	}
	return &sendErr{se.Code, se.Permanent}
}

func TestSMTPSendErrors(t *testing.T) {
	tests := []struct {
		name   string
		opts   []smtptest.Option
		faults smtptest.Faults
		to     []string
		want   *sendErr
		conns  int // connections used, 2 when the message was tried again
	}{
		{name: "550 is permanent", faults: smtptest.Faults{RejectDomain: "gone.test"}, to: []string{"x@gone.test"}, want: &sendErr{550, true}, conns: 1},
		{name: "451 is temporary", faults: smtptest.Faults{TempFailRate: 1}, to: []string{"x@y.test"}, want: &sendErr{451, false}, conns: 1},
		{name: "all or nothing", faults: smtptest.Faults{RejectDomain: "gone.test"}, to: []string{"ok@y.test", "x@gone.test"}, want: &sendErr{550, true}, conns: 1},
		{name: "all or nothing, 3 recipients", faults: smtptest.Faults{RejectDomain: "gone.test"}, to: []string{"ok@y.test", "x@gone.test", "z@y.test"}, want: &sendErr{550, true}, conns: 1},
		{name: "drop in DATA is temporary, not retried", faults: smtptest.Faults{DropDataRate: 1}, to: []string{"x@y.test"}, want: &sendErr{0, false}, conns: 1},
		{name: "refused sender is temporary", opts: []smtptest.Option{smtptest.WithAuth("u", "p")}, to: []string{"x@y.test"}, want: &sendErr{502, false}, conns: 1},
		// A refusal of the message itself, its recipients accepted, is
		// the relay's (a quota, a policy, the account), not the reader's,
		// unless its status blames the address or the mailbox.
		{name: "message refused without a status is temporary", faults: smtptest.Faults{RejectData: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.NoEnhancedCode,
			Message: "Throttling failure: Daily message quota exceeded."}}, to: []string{"x@y.test"}, want: &sendErr{554, false}, conns: 1},
		{name: "message refused by policy is temporary", faults: smtptest.Faults{RejectData: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message: "Message rejected by policy"}}, to: []string{"x@y.test", "z@y.test"}, want: &sendErr{550, false}, conns: 1},
		{name: "message refused as transaction failed is temporary", faults: smtptest.Faults{RejectData: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 0, 0},
			Message: "Transaction failed"}}, to: []string{"x@y.test"}, want: &sendErr{554, false}, conns: 1},
		{name: "message refused for its address is permanent", faults: smtptest.Faults{RejectData: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: "No such user here"}}, to: []string{"x@y.test"}, want: &sendErr{550, true}, conns: 1},
		{name: "message refused for a full mailbox is permanent", faults: smtptest.Faults{RejectData: &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2},
			Message: "Mailbox full"}}, to: []string{"x@y.test"}, want: &sendErr{552, true}, conns: 1},
		// A relay that relays nothing for Bulletin refuses every
		// recipient alike: the relay's trouble, not the readers'.
		{name: "relay access denied is temporary", faults: smtptest.Faults{RejectRcpt: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message: "<x@y.test>: Relay access denied"}}, to: []string{"x@y.test"}, want: &sendErr{554, false}, conns: 1},
		{name: "authentication required is temporary", faults: smtptest.Faults{RejectRcpt: &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0},
			Message: "Authentication required"}}, to: []string{"x@y.test", "z@y.test"}, want: &sendErr{530, false}, conns: 1},
		{name: "unknown in the relay recipient table is permanent", faults: smtptest.Faults{RejectRcpt: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: "<x@y.test>: Recipient address rejected: User unknown in relay recipient table"}}, to: []string{"x@y.test"}, want: &sendErr{550, true}, conns: 1},
		{name: "sender address rejected is temporary", faults: smtptest.Faults{RejectRcpt: &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message: "<a@x.test>: Sender address rejected: not owned by user u"}}, to: []string{"x@y.test"}, want: &sendErr{553, false}, conns: 1},
		{name: "sender domain not found (5.1.8) is temporary", faults: smtptest.Faults{RejectRcpt: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 8},
			Message: "<a@x.test>: Sender address rejected: Domain not found"}}, to: []string{"x@y.test"}, want: &sendErr{550, false}, conns: 1},
		{name: "client host rejected is temporary", faults: smtptest.Faults{RejectRcpt: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message: "Client host rejected: Access denied"}}, to: []string{"x@y.test"}, want: &sendErr{550, false}, conns: 1},
		{name: "a status inside the text blames the reader", faults: smtptest.Faults{RejectData: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.NoEnhancedCode,
			Message: "Requested action not taken: 5.1.1 mailbox unavailable"}}, to: []string{"x@y.test"}, want: &sendErr{550, true}, conns: 1},
		{name: "bad address", to: []string{"x@y.test>\r\nRCPT TO:<z@y.test"}, want: &sendErr{501, true}, conns: 0},
	}
	for _, mode := range pipeliningModes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				opts := append(slices.Clone(mode.opts), tt.opts...)
				srv := smtptest.Start(t, append(opts, smtptest.WithFaults(tt.faults))...)
				s := newSMTP(t, srv, func(c *SMTPConfig) { c.Username = "" })
				err := s.Send(context.Background(), "a@x.test", tt.to, []byte(testMsg))
				if diff := cmp.Diff(tt.want, describe(err)); diff != "" {
					t.Errorf("error %v (-want +got):\n%s", err, diff)
				}
				if tt.want != nil && srv.Total() != 0 {
					t.Errorf("server accepted %d messages, want none", srv.Total())
				}
				if n := srv.ConnStats().Total; n != tt.conns {
					t.Errorf("%d connections, want %d", n, tt.conns)
				}
				srv.SetFaults(smtptest.Faults{RejectDomain: "gone.test"})
				if tt.conns > 0 && !strings.Contains(tt.name, "sender") {
					if err := s.Send(context.Background(), "a@x.test", []string{"x@y.test"}, []byte(testMsg)); err != nil {
						t.Errorf("next send: %v", err)
					}
				}
			})
		}
	}
}

func TestSMTPAuthAndTLS(t *testing.T) {
	tests := []struct {
		name string
		opts []smtptest.Option
		pass string
		want *sendErr
	}{
		{name: "plain", opts: []smtptest.Option{smtptest.WithAuth("u", "p", "PLAIN")}, pass: "p"},
		{name: "login", opts: []smtptest.Option{smtptest.WithAuth("u", "p", "LOGIN")}, pass: "p"},
		{name: "wrong password is temporary", opts: []smtptest.Option{smtptest.WithAuth("u", "p")}, pass: "x", want: &sendErr{535, false}},
		{name: "starttls plain", opts: []smtptest.Option{smtptest.WithStartTLS(), smtptest.WithAuth("u", "p")}, pass: "p"},
		{name: "implicit tls login", opts: []smtptest.Option{smtptest.WithImplicitTLS(), smtptest.WithAuth("u", "p", "LOGIN")}, pass: "p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, tt.opts...)
			s := newSMTP(t, srv, func(c *SMTPConfig) { c.Password = tt.pass })
			err := s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(testMsg))
			if diff := cmp.Diff(tt.want, describe(err)); diff != "" {
				t.Fatalf("error %v (-want +got):\n%s", err, diff)
			}
			if tt.want == nil && srv.Count("b@y.test") != 1 {
				t.Errorf("count %d, want 1", srv.Count("b@y.test"))
			}
		})
	}
}

func TestSMTPStartTLSRequired(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.TLS = TLSStartTLS })
	err := s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(testMsg))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || errors.Is(err, ErrPermanent) {
		t.Fatalf("got %v, want a temporary STARTTLS error", err)
	}
}

func TestSMTPReconnectsAfter421(t *testing.T) {
	for _, mode := range pipeliningModes {
		srv := smtptest.Start(t, append(mode.opts, smtptest.WithFaults(smtptest.Faults{ByeAfter: 1}))...)
		s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 1 })
		for i := range 3 {
			if err := s.Send(context.Background(), "a@x.test", []string{fmt.Sprint(i, "@y.test")}, []byte(testMsg)); err != nil {
				t.Fatalf("%s: message %d: %v", mode.name, i, err)
			}
		}
		if st := srv.ConnStats(); srv.Total() != 3 || st.Total != 3 {
			t.Errorf("%s: %d messages over %d connections, want 3 over 3", mode.name, srv.Total(), st.Total)
		}
	}
}

func TestSMTPIdleConnections(t *testing.T) {
	for _, idle := range []time.Duration{time.Hour, time.Nanosecond} {
		for _, mode := range pipeliningModes {
			testIdleConnections(t, idle, mode.name, mode.opts)
		}
	}
}

func testIdleConnections(t *testing.T, idle time.Duration, mode string, opts []smtptest.Option) {
	t.Helper()
	var log logtest.Buffer
	srv := smtptest.Start(t, append(opts, smtptest.WithDebug(&log))...)
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.IdleCheck = idle })
	for i := range 3 {
		// Send reports its message's answer from the stream's connection,
		// which then goes back to the idle list: a message sent before
		// that would find it still in use, not idle, and need no NOOP.
		time.Sleep(20 * time.Millisecond)
		if i == 2 {
			srv.DropConns() // found by NOOP, or by the retry without one
		}
		if err := s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(testMsg)); err != nil {
			t.Fatalf("%s, idle check %v, message %d: %v", mode, idle, i, err)
		}
	}
	if srv.Count("b@y.test") != 3 || srv.ConnStats().Total != 2 {
		t.Errorf("%s, idle check %v: %d messages over %d connections, want 3 over 2", mode, idle, srv.Count("b@y.test"), srv.ConnStats().Total)
	}
	if noop := strings.Contains(log.String(), "NOOP"); noop != (idle == time.Nanosecond) {
		t.Errorf("%s, idle check %v: NOOP sent %v", mode, idle, noop)
	}
}

// TestSMTPLineEnds checks that every way of sending hands the server the
// same bytes: CRLF line ends, a last line ended, dots as they were.
func TestSMTPLineEnds(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Subject: a\r\n\r\n.x\r\n..y\r\n", "Subject: a\r\n\r\n.x\r\n..y\r\n"},
		{"Subject: a\n\n.x\nlast", "Subject: a\r\n\r\n.x\r\nlast\r\n"},
		{"Subject: a\r\n\r\nmixed\nends\r\n.\r\n", "Subject: a\r\n\r\nmixed\r\nends\r\n.\r\n"},
		{"Subject: a\r\n\r\nends in CR\r", "Subject: a\r\n\r\nends in CR\r\n"},
	}
	for _, mode := range pipeliningModes {
		srv := smtptest.Start(t, mode.opts...)
		s := newSMTP(t, srv, nil)
		for i, tt := range tests {
			if err := s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(tt.in)); err != nil {
				t.Fatalf("%s %d: %v", mode.name, i, err)
			}
			msgs := srv.Messages()
			if got := string(msgs[len(msgs)-1].Data); got != tt.want {
				t.Errorf("%s: sent %q, server got %q, want %q", mode.name, tt.in, got, tt.want)
			}
		}
	}
}

// chunking=off in the URL sends with DATA to a server that offers
// CHUNKING.
func TestSMTPChunkingOff(t *testing.T) {
	var log logtest.Buffer
	srv := smtptest.Start(t, smtptest.WithDebug(&log))
	cfg, err := ParseSMTPURL(srv.URL() + "&chunking=off")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Send(context.Background(), "a@x.test", []string{"b@y.test"}, []byte(testMsg)); err != nil {
		t.Fatal(err)
	}
	if got := log.String(); !strings.Contains(got, "DATA\r\n") || strings.Contains(got, "BDAT") {
		t.Errorf("chunking=off, conversation:\n%s", got)
	}
	if srv.Count("b@y.test") != 1 {
		t.Errorf("server has %d messages, want 1", srv.Count("b@y.test"))
	}
}

// A server that offers CHUNKING but takes BDAT for an unknown command gets
// every message once, with DATA, and nobody is counted as a bounce.
func TestSMTPServerWithoutBDAT(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithoutBDAT())
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 2 })
	msgs := batch(30, "r")
	for i, err := range s.SendBatch(context.Background(), msgs) {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	for _, m := range msgs {
		if n := srv.Count(m.To); n != 1 {
			t.Errorf("%s: %d copies, want 1", m.To, n)
		}
	}
	// Later messages go with DATA straight away, on a new connection.
	before := srv.ConnStats().Total
	if err := s.Send(context.Background(), "a@x.test", []string{"late@y.test"}, []byte(testMsg)); err != nil || srv.Count("late@y.test") != 1 {
		t.Errorf("a later message: %v, %d copies", err, srv.Count("late@y.test"))
	}
	if st := srv.ConnStats(); st.Total > before+1 {
		t.Errorf("a later message opened %d connections", st.Total-before)
	}
}
