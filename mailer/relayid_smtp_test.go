package mailer

import (
	"context"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// queuedAs answers each message with an id made of its recipient, as
// Postfix does with its queue id.
func queuedAs(m smtptest.Message) string { return "Ok: queued as Q-" + m.To[0] }

// Every way of sending (BDAT in flight, DATA pipelined, DATA lock-step,
// the shared stream) keeps the id the
// relay gave each accepted message, and that message's own.
func TestSendKeepsRelayID(t *testing.T) {
	cases := map[string][]smtptest.Option{
		"bdat":      nil,
		"pipelined": {smtptest.WithoutChunking()},
		"lock-step": {smtptest.WithoutChunking(), smtptest.WithoutPipelining()},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.Start(t, append(opts, smtptest.WithAcceptReply(queuedAs))...)
			s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 2 })
			msgs := batch(12, "r")
			ids := make([]string, len(msgs))
			for i := range msgs {
				msgs[i].RelayID = &ids[i]
			}
			for i, err := range s.SendBatch(context.Background(), msgs) {
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			for i, m := range msgs {
				if want := "Q-" + m.To; ids[i] != want {
					t.Errorf("message %d relay id %q, want %q", i, ids[i], want)
				}
			}
		})
	}
	t.Run("stream", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.WithAcceptReply(queuedAs))
		s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns = 2 })
		msgs := batch(20, "s")
		ids := make([]string, len(msgs))
		var wg sync.WaitGroup
		for i := range msgs {
			msgs[i].RelayID = &ids[i]
			wg.Add(1)
			s.SendAsync(context.Background(), msgs[i], func(err error) {
				defer wg.Done()
				if err != nil {
					t.Errorf("message %d: %v", i, err)
				} else if want := "Q-" + msgs[i].To; ids[i] != want {
					t.Errorf("message %d relay id %q when reported, want %q", i, ids[i], want)
				}
			})
		}
		wg.Wait()
	})
}

// A relay that names no message leaves the id empty.
func TestSendWithoutRelayID(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSMTP(t, srv, nil)
	id := "unset"
	m := batch(1, "n")[0]
	m.RelayID = &id
	if err := s.SendBatch(context.Background(), []Outgoing{m})[0]; err != nil {
		t.Fatal(err)
	}
	if id != "" {
		t.Errorf("relay id %q, want none", id)
	}
}
