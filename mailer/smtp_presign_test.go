package mailer

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// signedComposer stands for a signed campaign message: it "signs" by
// putting a header naming its recipient in front, and counts its calls.
type signedComposer struct {
	to    string
	calls *atomic.Int64
}

func (c signedComposer) AppendTo(dst []byte) []byte {
	c.calls.Add(1)
	return append(dst, "X-Signed-For: "+c.to+"\r\nFrom: a@x.test\r\nSubject: hi\r\n\r\nHello.\r\n"...)
}

func (signedComposer) signs() bool    { return true }
func (signedComposer) crlfOnly() bool { return true }

// TestSignedMessagesGoThroughTheStage sends signed messages by SendAsync
// to a server that fails some of them now and then: each is reported
// once, each delivered copy is the signed one, and a message tried again
// on a new connection is signed again rather than sent from a buffer
// given back.
func TestSignedMessagesGoThroughTheStage(t *testing.T) {
	for _, mode := range pipeliningModes {
		t.Run(mode.name, func(t *testing.T) {
			srv := smtptest.Start(t, append([]smtptest.Option{smtptest.WithFaults(smtptest.Faults{
				TempFailRate: 0.05, DropDataRate: 0.03,
			})}, mode.opts...)...)
			s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 3 })
			var calls atomic.Int64
			msgs := make([]Outgoing, 400)
			for i := range msgs {
				to := fmt.Sprintf("r%d@x.test", i)
				msgs[i] = Outgoing{From: "a@x.test", To: to, Body: signedComposer{to: to, calls: &calls}}
			}
			errs := sendAsync(context.Background(), s, msgs, 4)
			sent := 0
			for i, m := range msgs {
				got := srv.Count(m.To)
				if errs[i] == nil {
					sent++
					if got != 1 {
						t.Errorf("%s: reported sent, server has %d copies", m.To, got)
					}
				}
				if got > 1 {
					t.Errorf("%s: %d copies", m.To, got)
				}
			}
			if sent < len(msgs)/2 {
				t.Fatalf("only %d of %d sent", sent, len(msgs))
			}
			for _, m := range srv.Messages() {
				if want := "X-Signed-For: " + m.To[0] + "\r\n"; !strings.HasPrefix(string(m.Data), want) {
					t.Errorf("message to %s starts %q, want %q", m.To[0], string(m.Data[:min(40, len(m.Data))]), want)
				}
			}
			if n := calls.Load(); n < int64(len(msgs)) {
				t.Errorf("signed %d times for %d messages", n, len(msgs))
			}
		})
	}
}

// TestSigningStageStaysBounded holds every connection at the greeting:
// the stage signs as far ahead as it may and no further, and the messages
// behind are reported when their callers give up.
func TestSigningStageStaysBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // no greeting, ever
			mu.Unlock()
		}
	}()
	s, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Conns: 2, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		ln.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	var calls atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	const n = 500
	var reported sync.WaitGroup
	reported.Add(n)
	var failed atomic.Int64
	for i := range n {
		to := fmt.Sprintf("r%d@x.test", i)
		s.SendAsync(ctx, Outgoing{From: "a@x.test", To: to, Body: signedComposer{to: to, calls: &calls}}, func(err error) {
			if err != nil {
				failed.Add(1)
			}
			reported.Done()
		})
	}
	ahead := int64(s.presignAhead())
	deadline := time.Now().Add(time.Second)
	for calls.Load() < ahead && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // room for a runaway stage to show itself
	if got := calls.Load(); got != ahead {
		t.Errorf("stage signed %d messages with no connection taking any, want exactly %d", got, ahead)
	}
	cancel()
	done := make(chan struct{})
	go func() { reported.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("not every message was reported after its context ended")
	}
	if failed.Load() != n {
		t.Errorf("%d of %d reported failed; none could be sent", failed.Load(), n)
	}
	if got := calls.Load(); got > ahead {
		t.Errorf("stage signed %d messages after their callers gave up, want at most %d", got, ahead)
	}
}

// gatedComposer is a signedComposer whose signing waits for gate, when
// it has one.
type gatedComposer struct {
	signedComposer
	gate chan struct{}
}

func (c gatedComposer) AppendTo(dst []byte) []byte {
	if c.gate != nil {
		<-c.gate
	}
	return c.signedComposer.AppendTo(dst)
}

// A message signed, and not yet handed on with a window's worth, is not
// left behind when the messages after it are dropped because their
// callers gave up: with one signer, the first is signed and waits for
// more, the second's signing outlasts its caller, the third is dropped
// unsigned, and all three are reported.
func TestSignedMessagesBeforeDroppedOnesAreReported(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one signer
	srv := smtptest.Start(t)
	s := newSMTP(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int64
	queued, gate := make(chan struct{}), make(chan struct{})
	var reported sync.WaitGroup
	var errs [3]atomic.Value
	for i := range 3 {
		to := fmt.Sprintf("r%d@x.test", i)
		c := gatedComposer{signedComposer: signedComposer{to: to, calls: &calls}}
		switch i {
		case 0:
			c.gate = queued // signed once all three wait to be
		case 1:
			c.gate = gate
		}
		reported.Add(1)
		s.SendAsync(ctx, Outgoing{From: "a@x.test", To: to, Body: c}, func(err error) {
			errs[i].Store(fmt.Sprint(err))
			reported.Done()
		})
	}
	close(queued)
	for deadline := time.Now().Add(5 * time.Second); calls.Load() < 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first message was not signed within 5 s")
		}
	}
	time.Sleep(20 * time.Millisecond) // the signer is at the second's gate
	cancel()
	close(gate)
	done := make(chan struct{})
	go func() { reported.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		var missing []int
		for i := range errs {
			if errs[i].Load() == nil {
				missing = append(missing, i)
			}
		}
		t.Fatalf("messages %v never reported", missing)
	}
	if got := errs[2].Load(); got == "<nil>" {
		t.Errorf("the third message was reported sent, though its caller gave up before it was signed")
	}
	if n := srv.Total(); n > 2 {
		t.Errorf("the server took %d messages, want at most the 2 signed", n)
	}
}
