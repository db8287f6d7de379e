package mailer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// bigMsg returns a message of about n bytes with CRLF line ends. It
// writes them into one buffer of its own, not through a string and a copy:
// under the race detector the first instrumented pass over a new buffer
// of 32 MB maps its shadow memory, and when that pass was Send's own scan
// of the message it took seconds of the time a test allows Send (2 s at a
// load of 10 on the test machine, more at 20), and building the message
// three times over took as long again.
func bigMsg(tag string, n int) []byte {
	line := strings.Repeat("x", 76) + "\r\n"
	head := "From: a@x.test\r\nSubject: " + tag + "\r\n\r\n"
	b := make([]byte, 0, len(head)+n)
	b = append(b, head...)
	for range n / len(line) {
		b = append(b, line...)
	}
	return b
}

// A BDAT flight whose write fails after the server took its first
// message: the server accepts A, then answers B's MAIL FROM 421 and hangs
// up while B's chunk is still being written. Nothing of the flight had
// been read when the write failed; the pool used to try the whole flight
// again, A included, which was delivered twice. It now reads what the
// server answered first: A is sent once, B goes again after its 421.
func TestChunkedWriteFailureSettlesWhatWasAnswered(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithDiscard(), smtptest.WithFaults(smtptest.Faults{ByeAfter: 1}))
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 1 })
	const size = 8 << 20 // far more than loopback's socket buffers
	msgs := []Outgoing{
		{From: "a@x.test", To: "first@y.test", Data: bigMsg("first", size)},
		{From: "a@x.test", To: "second@y.test", Data: bigMsg("second", size)},
	}
	errs := s.SendBatch(context.Background(), msgs)
	for i, m := range msgs {
		n := srv.Count(m.To)
		t.Logf("%s: error %v, %d copies", m.To, errs[i], n)
		if errs[i] != nil || n != 1 {
			t.Errorf("%s: reported %v, %d copies; want sent once", m.To, errs[i], n)
		}
	}
}

// On a connection taken back from the idle list (release cleared its
// deadline, and no NOOP is sent when it was used lately), the BDAT path
// wrote the first flight into the socket before setting a deadline: a
// server that stopped reading held the sender for as long as it liked,
// whatever Timeout said. Send now ends with the deadline's "i/o timeout"
// after four timeouts (the write and the read, and again on a new
// connection), 1.2 s, while the server still reads nothing. Without a
// deadline it would never end, so the test waits for it generously: it
// once failed at 5 s on a machine with a load of 20 and more, where Send
// had only the CPU for a fraction of that time.
func TestChunkedWriteOnAReusedConnectionHasADeadline(t *testing.T) {
	const timeout, stuck = 300 * time.Millisecond, 30 * time.Second
	srv := smtptest.Start(t, smtptest.WithDiscard())
	s := newSMTP(t, srv, func(c *SMTPConfig) { c.Timeout = timeout; c.Conns = 1 })
	if err := s.Send(context.Background(), "a@x.test", []string{"warm@y.test"}, []byte(testMsg)); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(smtptest.Faults{Stall: true})
	t.Cleanup(func() { srv.SetFaults(smtptest.Faults{}) })
	done := make(chan error, 1)
	big := bigMsg("big", 32<<20)
	start := time.Now()
	go func() { done <- s.Send(context.Background(), "a@x.test", []string{"big@y.test"}, big) }()
	select {
	case err := <-done:
		t.Logf("Send returned after %v: %v", time.Since(start).Round(time.Millisecond), err)
		if err == nil || !strings.Contains(err.Error(), "i/o timeout") {
			t.Errorf("Send to a server that stopped reading returned %v, want the deadline's i/o timeout", err)
		}
	case <-time.After(stuck):
		srv.SetFaults(smtptest.Faults{})
		err := <-done
		t.Errorf("Send with a %v timeout still blocked after %v (returned %v once the server read again)", timeout, stuck, err)
	}
}

// fakeRelay is a minimal SMTP server offering PIPELINING and CHUNKING.
// onRSET, when it returns a reply, answers an RSET with it and hangs up.
// It counts accepted messages per recipient.
type fakeRelay struct {
	ln     net.Listener
	mu     sync.Mutex
	counts map[string]int
	conns  int
	onRSET func(conn, accepted int) string
}

func startFakeRelay(t *testing.T, onRSET func(conn, accepted int) string) *fakeRelay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRelay{ln: ln, counts: map[string]int{}, onRSET: onRSET}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			n := f.conns
			f.conns++
			f.mu.Unlock()
			go f.serve(c, n)
		}
	}()
	return f
}

func (f *fakeRelay) count(rcpt string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[rcpt]
}

func (f *fakeRelay) serve(c net.Conn, n int) {
	defer c.Close()
	r := bufio.NewReader(c)
	io.WriteString(c, "220 fake ESMTP\r\n")
	var rcpt string
	accepted := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			io.WriteString(c, "250-fake\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 OK\r\n")
		case "MAIL", "NOOP":
			io.WriteString(c, "250 OK\r\n")
		case "RCPT":
			rcpt = strings.TrimSuffix(strings.TrimPrefix(line[len("RCPT TO:"):], "<"), ">")
			io.WriteString(c, "250 OK\r\n")
		case "RSET":
			if f.onRSET != nil {
				if reply := f.onRSET(n, accepted); reply != "" {
					io.WriteString(c, reply+"\r\n")
					return
				}
			}
			io.WriteString(c, "250 OK\r\n")
		case "BDAT":
			var size int
			fmt.Sscanf(line, "BDAT %d LAST", &size)
			if _, err := io.CopyN(io.Discard, r, int64(size)); err != nil {
				return
			}
			f.mu.Lock()
			f.counts[rcpt]++
			f.mu.Unlock()
			accepted++
			io.WriteString(c, "250 OK queued\r\n")
		case "QUIT":
			io.WriteString(c, "221 bye\r\n")
			return
		default:
			io.WriteString(c, "500 what\r\n")
		}
	}
}

// The server answers the RSET that starts the second message of a BDAT
// flight with 421 and hangs up: it took neither that message nor those
// after it, which go again on a new connection, as after any 421. A
// failed RSET used to count as a lost connection, and with the first
// message answered the rest failed without a second try.
func TestChunked421ToRSETIsTriedAgain(t *testing.T) {
	f := startFakeRelay(t, func(conn, accepted int) string {
		if conn == 0 && accepted >= 1 {
			return "421 4.3.2 Service shutting down"
		}
		return ""
	})
	s, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: f.ln.Addr().(*net.TCPAddr).Port, TLS: TLSNone, Conns: 1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	msgs := batch(3, "r")
	errs := s.SendBatch(context.Background(), msgs)
	for i, m := range msgs {
		n := f.count(m.To)
		if errs[i] != nil || n != 1 {
			t.Errorf("%s: error %v, %d copies; want sent once (retried after the 421)", m.To, errs[i], n)
		}
	}
}

// A caller's context that ends just as it is done with a connection
// leaves no mark on it: watch's stop waits for the callback that had
// started and clears it. It used to land afterwards, on whoever took the
// connection next, whose every command then failed.
func TestWatchLeavesNoMarkAfterStop(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &smtpConn{raw: a}
	for i := range 1000 {
		ctx, cancel := context.WithCancel(context.Background())
		stop := c.watch(ctx)
		cancel()
		stop()
		time.Sleep(time.Microsecond) // time for a callback still running to land
		if c.cancelled.Load() {
			t.Fatalf("round %d: the connection is marked cancelled after stop", i)
		}
	}
}
