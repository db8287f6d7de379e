package smtptest_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

const body = "Subject: hi\r\n\r\nHello.\r\n.leading dot\r\n"

// send delivers one message over a fresh plain connection.
func send(t *testing.T, s *smtptest.Server, from string, to ...string) error {
	t.Helper()
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.CommandTimeout = 5 * time.Second
	return c.SendMail(from, to, strings.NewReader(body))
}

func code(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestCountsAndMessages(t *testing.T) {
	s := smtptest.Start(t)
	if err := send(t, s, "a@x.test", "b@y.test", "c@y.test"); err != nil {
		t.Fatal(err)
	}
	if err := send(t, s, "a@x.test", "b@y.test"); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{"b": s.Count("b@y.test"), "c": s.Count("c@y.test"), "d": s.Count("d@y.test"), "total": s.Total(), "recipients": s.Recipients()}
	if diff := cmp.Diff(map[string]int{"b": 2, "c": 1, "d": 0, "total": 2, "recipients": 2}, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	want := smtptest.Message{From: "a@x.test", To: []string{"b@y.test", "c@y.test"}, Data: []byte(body)}
	if diff := cmp.Diff(want, s.Messages()[0]); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if st := s.ConnStats(); st.Total != 2 || st.Peak < 1 {
		t.Errorf("conn stats %+v, want 2 in total", st)
	}
}

func TestDiscardOnlyCounts(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithDiscard())
	if err := send(t, s, "a@x.test", "b@y.test"); err != nil {
		t.Fatal(err)
	}
	if s.Count("b@y.test") != 1 || len(s.Messages()) != 0 {
		t.Errorf("count %d, %d messages kept; want 1 and none", s.Count("b@y.test"), len(s.Messages()))
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults smtptest.Faults
		to     string
		code   int // 0: a dropped connection
	}{
		{"reject domain", smtptest.Faults{RejectDomain: "gone.test"}, "x@GONE.test", 550},
		{"temp fail", smtptest.Faults{TempFailRate: 1}, "x@y.test", 451},
		{"drop data", smtptest.Faults{DropDataRate: 1}, "x@y.test", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := smtptest.Start(t, smtptest.WithFaults(tt.faults))
			err := send(t, s, "a@x.test", tt.to)
			if err == nil || code(err) != tt.code {
				t.Fatalf("got %v, want code %d", err, tt.code)
			}
			s.SetFaults(smtptest.Faults{})
			if err := send(t, s, "a@x.test", tt.to); err != nil {
				t.Fatalf("after clearing faults: %v", err)
			}
			if s.Total() != 1 {
				t.Errorf("total %d, want 1", s.Total())
			}
		})
	}
}

func TestByeAfter(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{ByeAfter: 2}))
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var codes []int
	for range 3 {
		codes = append(codes, code(c.SendMail("a@x.test", []string{"b@y.test"}, strings.NewReader(body))))
	}
	if diff := cmp.Diff([]int{0, 0, 421}, codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	if err := c.Noop(); err == nil {
		t.Error("connection still open after 421")
	}
}

// failures returns which of n addresses fail their first RCPT.
func failures(t *testing.T, s *smtptest.Server, n int) []bool {
	t.Helper()
	got := make([]bool, n)
	for i := range got {
		got[i] = send(t, s, "a@x.test", string(rune('a'+i%26))+strings.Repeat("x", i/26)+"@y.test") != nil
	}
	return got
}

func TestTempFailRateIsReproducibleAndRetriable(t *testing.T) {
	for _, seed := range []uint64{0, 42} {
		f := smtptest.Faults{TempFailRate: 0.5, Seed: seed}
		a := failures(t, smtptest.Start(t, smtptest.WithFaults(f)), 60)
		b := failures(t, smtptest.Start(t, smtptest.WithFaults(f)), 60)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("seed %d: two runs differ (-first +second):\n%s", seed, diff)
		}
		n := 0
		for _, failed := range a {
			if failed {
				n++
			}
		}
		if n < 15 || n > 45 {
			t.Errorf("seed %d: %d of 60 failed, want about half", seed, n)
		}
	}
	// Without a seed a retry is a new draw: every address gets through.
	s := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 0.5}))
	for try := 0; try < 30 && s.Total() < 20; try++ {
		for i := range 20 {
			if to := string(rune('a'+i)) + "@y.test"; s.Count(to) == 0 {
				send(t, s, "a@x.test", to)
			}
		}
	}
	if s.Total() != 20 {
		t.Errorf("%d of 20 addresses got through after retries", s.Total())
	}
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name  string
		mechs []string
		auth  sasl.Client
		code  int
	}{
		{"plain", nil, sasl.NewPlainClient("", "u", "p"), 0},
		{"login", []string{"LOGIN"}, sasl.NewLoginClient("u", "p"), 0},
		{"wrong password", nil, sasl.NewPlainClient("", "u", "nope"), 535},
		{"none", nil, nil, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := smtptest.Start(t, smtptest.WithAuth("u", "p", tt.mechs...))
			c, err := smtp.Dial(s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if tt.auth != nil {
				err = c.Auth(tt.auth)
			}
			if err == nil {
				err = c.SendMail("a@x.test", []string{"b@y.test"}, strings.NewReader(body))
			}
			if code(err) != tt.code || (tt.code == 0 && err != nil) {
				t.Fatalf("got %v, want code %d", err, tt.code)
			}
		})
	}
}

func TestTLS(t *testing.T) {
	start := smtptest.Start(t, smtptest.WithStartTLS())
	c, err := smtp.DialStartTLS(start.Addr(), start.ClientTLSConfig())
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	if err := c.SendMail("a@x.test", []string{"tls@y.test"}, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	// The same server takes a client that does not upgrade, and says so.
	if err := send(t, start, "a@x.test", "clear@y.test"); err != nil {
		t.Fatal(err)
	}
	want := []smtptest.Message{
		{From: "a@x.test", To: []string{"tls@y.test"}, Data: []byte(body), TLS: true},
		{From: "a@x.test", To: []string{"clear@y.test"}, Data: []byte(body), TLS: false},
	}
	if diff := cmp.Diff(want, start.Messages()); diff != "" {
		t.Errorf("STARTTLS server's messages (-want +got):\n%s", diff)
	}
	implicit := smtptest.Start(t, smtptest.WithImplicitTLS())
	c, err = smtp.DialTLS(implicit.Addr(), implicit.ClientTLSConfig())
	if err != nil {
		t.Fatalf("implicit TLS: %v", err)
	}
	if err := c.SendMail("a@x.test", []string{"b@y.test"}, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if msgs := implicit.Messages(); len(msgs) != 1 || !msgs[0].TLS {
		t.Errorf("implicit TLS server's messages %+v, want one over TLS", msgs)
	}
	if !strings.HasSuffix(implicit.URL(), "?tls=tls") || !strings.HasSuffix(start.URL(), "?tls=starttls") {
		t.Errorf("URLs %s, %s", implicit.URL(), start.URL())
	}
}

func TestHiddenExtensions(t *testing.T) {
	for _, tt := range []struct {
		ext  string
		hide smtptest.Option
	}{
		{"PIPELINING", smtptest.WithoutPipelining()},
		{"CHUNKING", smtptest.WithoutChunking()},
	} {
		for _, hide := range []bool{false, true} {
			var opts []smtptest.Option
			if hide {
				opts = append(opts, tt.hide)
			}
			c, err := smtp.Dial(smtptest.Start(t, opts...).Addr())
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := c.Extension(tt.ext); ok == hide {
				t.Errorf("hidden %v: %s advertised %v", hide, tt.ext, ok)
			}
			if ok, _ := c.Extension("SIZE"); !ok {
				t.Errorf("hiding %s lost the rest of the EHLO reply", tt.ext)
			}
			c.Close()
		}
	}
}

func TestDropConnsAndStall(t *testing.T) {
	s := smtptest.Start(t)
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Noop(); err != nil {
		t.Fatal(err)
	}
	s.DropConns()
	if err := c.Noop(); err == nil {
		t.Error("NOOP worked on a dropped connection")
	}
	waitFor(t, func() bool { return s.ConnStats().Open == 0 })

	s = smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{Stall: true}))
	c, err = smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.CommandTimeout = 50 * time.Millisecond
	if err := c.Mail("a@x.test", nil); err == nil {
		t.Fatal("MAIL answered while stalled")
	}
}

func TestStallEndsWithClose(t *testing.T) {
	s := smtptest.Start(nil, smtptest.WithFaults(smtptest.Faults{Stall: true}))
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	wg.Go(func() { c.Mail("a@x.test", nil) })
	time.Sleep(20 * time.Millisecond)
	s.Close()
	wg.Wait()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
	}
}

func TestBlastPipelined(t *testing.T) {
	s := smtptest.Start(t)
	if err := smtptest.BlastPipelined(s.Addr(), 4, []byte(body), 101); err != nil {
		t.Fatal(err)
	}
	if n := s.Count(smtptest.BlastTo); n != 101 {
		t.Errorf("count %d, want 101", n)
	}
	if diff := cmp.Diff(body, string(s.Messages()[100].Data)); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	if st := s.ConnStats(); st.Total != 4 {
		t.Errorf("%d connections, want 4", st.Total)
	}
}

func TestBlastChunked(t *testing.T) {
	s := smtptest.Start(t)
	if err := smtptest.BlastChunked(s.Addr(), 3, 4, []byte(body), 101); err != nil {
		t.Fatal(err)
	}
	if n := s.Count(smtptest.BlastTo); n != 101 {
		t.Errorf("count %d, want 101", n)
	}
	if diff := cmp.Diff(body, string(s.Messages()[100].Data)); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	if st := s.ConnStats(); st.Total != 3 {
		t.Errorf("%d connections, want 3", st.Total)
	}
	// A refusal ends the blast with an error instead of a hang.
	s.SetFaults(smtptest.Faults{TempFailRate: 1})
	if err := smtptest.BlastChunked(s.Addr(), 1, 4, []byte(body), 50); err == nil {
		t.Error("blast against a server refusing every recipient: no error")
	}
	// Without CHUNKING there is nothing to blast with.
	if err := smtptest.BlastChunked(smtptest.Start(t, smtptest.WithoutChunking()).Addr(), 1, 1, []byte(body), 1); err == nil {
		t.Error("blast against a server without CHUNKING: no error")
	}
}

// WithoutBDAT offers CHUNKING and then does not know BDAT.
func TestWithoutBDAT(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithoutBDAT())
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("CHUNKING"); !ok {
		t.Error("CHUNKING not offered")
	}
	c.Close()
	if err := smtptest.BlastChunked(s.Addr(), 1, 1, []byte(body), 1); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("BDAT to a server that does not know it: %v, want a 500", err)
	}
	if s.Total() != 0 {
		t.Errorf("server accepted %d messages", s.Total())
	}
}

// With batched replies, the replies to a pipelined group wait while
// commands sent with them are still to be read: NOOP's reply waits behind
// a stalled MAIL FROM, and both come in one read once it goes on. Without,
// NOOP is answered at once. A message sent through it lands.
func TestBatchedReplies(t *testing.T) {
	for _, batched := range []bool{false, true} {
		var opts []smtptest.Option
		if batched {
			opts = append(opts, smtptest.WithBatchedReplies())
		}
		s := smtptest.Start(t, opts...)
		nc, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		r := bufio.NewReader(nc)
		line := func(wait time.Duration) string {
			nc.SetReadDeadline(time.Now().Add(wait))
			l, _ := r.ReadString('\n')
			return l
		}
		if got := line(5 * time.Second); !strings.HasPrefix(got, "220 ") {
			t.Fatalf("greeting %q", got)
		}
		fmt.Fprintf(nc, "EHLO client.test\r\n")
		for got := ""; !strings.HasPrefix(got, "250 "); {
			if got = line(5 * time.Second); got == "" {
				t.Fatal("no EHLO reply")
			}
		}
		s.SetFaults(smtptest.Faults{Stall: true})
		fmt.Fprintf(nc, "NOOP\r\nMAIL FROM:<a@example.com>\r\n")
		wait := 5 * time.Second // NOOP's reply comes at once
		if batched {
			wait = 300 * time.Millisecond // it comes not at all: how long to look
		}
		noop := line(wait)
		if batched && noop != "" {
			t.Errorf("batched: NOOP answered %q while MAIL FROM, pipelined with it, waits", noop)
		}
		if !batched && !strings.HasPrefix(noop, "250 ") {
			t.Errorf("not batched: NOOP answered %q, want 250 at once", noop)
		}
		s.SetFaults(smtptest.Faults{})
		rest := line(5 * time.Second)
		if batched {
			noop = rest
			if r.Buffered() == 0 {
				t.Errorf("batched: NOOP's and MAIL FROM's replies did not come in one read")
			}
			rest = line(5 * time.Second)
		}
		if !strings.HasPrefix(noop, "250 ") || !strings.HasPrefix(rest, "250 ") {
			t.Errorf("batched %v: NOOP answered %q, MAIL FROM %q", batched, noop, rest)
		}
		nc.Close()
		if err := send(t, s, "a@example.com", "b@example.com"); err != nil {
			t.Fatal(err)
		}
		if s.Total() != 1 {
			t.Errorf("batched %v: accepted %d messages, want 1", batched, s.Total())
		}
	}
}
