package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A pool that drains hands the server no more messages: a batch in the
// middle of sending gets the answers of the messages on the wire, which
// the server takes, and the others fail at once, each wrapping
// ErrStopping, so that its caller records what went within a stop. No
// message the server took is reported as not sent.
func TestSMTPDrainEndsABatchWithTheMessagesOnTheWire(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{Stall: true}))
	pool := smtpAt(t, srv.Addr())
	const n = 20
	msgs := make([]mailer.Outgoing, n)
	for i := range msgs {
		msgs[i] = mailer.Outgoing{From: "news@harbour.test", To: fmt.Sprintf("reader%d@example.com", i),
			Data: []byte("Subject: Harbour news\r\n\r\nHello\r\n")}
	}
	done := make(chan []error, 1)
	go func() { done <- pool.SendBatch(context.Background(), msgs) }()
	// The server holds its answers: the first messages wait on the wire.
	for deadline := time.Now().Add(10 * time.Second); srv.ConnStats().Open == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no connection after 10 s")
		}
	}
	time.Sleep(200 * time.Millisecond)
	pool.Drain()
	srv.SetFaults(smtptest.Faults{})
	var errs []error
	select {
	case errs = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the batch still sends 10 s after the pool drained")
	}
	sent, stopping := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			sent++
		case errors.Is(err, mailer.ErrStopping):
			stopping++
		default:
			t.Errorf("message %d: %v, want sent or not sent as the pool drains", i, err)
		}
	}
	if sent != srv.Total() || sent+stopping != n || stopping == 0 {
		t.Errorf("%d reported sent, %d not sent as the pool drains; the server took %d: want those it took reported sent, the rest not sent", sent, stopping, srv.Total())
	}
	// Once drained, a message handed over later is not sent either.
	if err := pool.Send(context.Background(), "news@harbour.test", []string{"late@example.com"}, msgs[0].Data); !errors.Is(err, mailer.ErrStopping) {
		t.Errorf("a message sent after the drain: %v, want it not sent as the pool drains", err)
	}
	t.Logf("%d sent from the wire, %d handed back", sent, stopping)
}
