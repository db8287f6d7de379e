package mailer

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// TestGatedMailGoesBeforeTheStream sends a confirmation through a gate
// (as serve's confirmations and welcome mails go) while a campaign of 60
// messages fills the pool's stream at 40 a second: the confirmation
// reaches the server within the first fifth of the campaign, not after
// it (it waited for the whole campaign, 25 s for 3,000 readers at 100/s).
func TestGatedMailGoesBeforeTheStream(t *testing.T) {
	for _, mode := range pipeliningModes {
		t.Run(mode.name, func(t *testing.T) {
			srv := smtptest.Start(t, append(slices.Clone(mode.opts), smtptest.WithDiscard())...)
			s := newSMTP(t, srv, func(c *SMTPConfig) { c.Conns, c.Rate = 2, 40 })
			var wg sync.WaitGroup
			for _, m := range batch(60, "campaign") {
				wg.Add(1)
				s.SendAsync(context.Background(), m, func(err error) {
					if err != nil {
						t.Errorf("campaign message: %v", err)
					}
					wg.Done()
				})
			}
			waitFor(t, func() bool { return srv.Total() >= 3 })
			confirm := Outgoing{From: "a@x.test", To: "confirm@y.test", Data: []byte(testMsg)}
			if err := NewGate(nil).Transport(s).(BatchSender).SendBatch(context.Background(), []Outgoing{confirm})[0]; err != nil {
				t.Fatal(err)
			}
			before := srv.Total() - 1 // the campaign's messages the server took before it
			wg.Wait()
			if before > 12 {
				t.Errorf("the confirmation went after %d of the campaign's 60 messages, want at most 12", before)
			}
			if srv.Count("confirm@y.test") != 1 || srv.Total() != 61 {
				t.Errorf("%d confirmations and %d messages, want 1 and 61", srv.Count("confirm@y.test"), srv.Total())
			}
		})
	}
}
