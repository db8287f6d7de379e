package campaigns_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// SendQueued (`bulletin digest run`) went no further than the first batch
// with a reader the server refused for now (a 451 to RCPT TO): its
// "failed for now, retrying" ended the digest, every later batch left for
// serve. Those readers stay queued for their retry, and the other batches
// go, each reader's copy once.
func TestDigestSendQueuedGoesOnPastReadersRefusedForNow(t *testing.T) {
	e := newDigestEnv(t) // three readers a batch
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	day := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	campaigns.SetClock(e.svc.Store, func() time.Time { return day.Add(time.Hour) })
	e.article(t, news, "Bridge reopens after repairs", day)
	var readers []string
	for i := range 10 {
		readers = append(readers, fmt.Sprintf("r%02d@x.example", i))
		e.reader(t, readers[i], "confirmed", "daily", news)
	}
	refused := []string{readers[1], readers[7]} // in the first batch and the third
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailTo: refused}))
	cfg, err := mailer.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	smtp, err := mailer.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer smtp.Close()

	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil || d.Recipients != len(readers) {
		t.Fatalf("digest = %+v, %v; want one to %d readers", d, err, len(readers))
	}
	sender := &mailer.Sender{Batch: smtp, Ledger: e.svc.Ledger()}
	retrying, err := e.svc.SendQueued(ctx, d.ID, sender.Send)
	if err != nil || retrying != len(refused) {
		t.Fatalf("SendQueued = %d, %v; want the %d refused retrying and no error", retrying, err, len(refused))
	}
	for _, r := range readers {
		want := 1
		for _, x := range refused {
			if r == x {
				want = 0
			}
		}
		if n := srv.Count(r); n != want {
			t.Errorf("%s got %d copies, want %d", r, n, want)
		}
	}
	st, err := e.svc.DigestStats(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != len(readers)-len(refused) || st.Queued != len(refused) || st.Failed != 0 {
		t.Errorf("stats %+v, want %d sent and the %d refused queued", st, len(readers)-len(refused), len(refused))
	}
}
