package mailer_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A subscriber the primary records as having left the campaign's lists
// after their batch was read is skipped by a worker, as a gone one is;
// one who left them before the batch was read, and so came back, is sent
// to, and so is one who left another campaign's lists only.
func TestRedisLedgerSkipsSubscribersWhoLeftTheCampaign(t *testing.T) {
	ctx := context.Background()
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	s := workerSender(t, q, srv)
	since := time.Now().Add(-time.Minute)
	p := sendPayload(4, since) // campaign 7
	if err := tasks.AddLeft(ctx, q.Redis(), since.Add(time.Second), 2, 7, 9); err != nil {
		t.Fatal(err)
	}
	if err := tasks.AddLeft(ctx, q.Redis(), since.Add(-time.Hour), 3, 7); err != nil {
		t.Fatal(err)
	}
	if err := tasks.AddLeft(ctx, q.Redis(), since.Add(time.Second), 4, 9); err != nil {
		t.Fatal(err)
	}

	runTask(t, s, p)
	want := map[int64]string{101: "sent", 102: "skipped", 103: "sent", 104: "sent"}
	got, _ := recorded(t, q)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results queued for the primary (-want +got):\n%s", diff)
	}
	if srv.Count("reader2@example.com") != 0 || srv.Total() != 3 {
		t.Errorf("reader2 got %d copies, %d messages in all; want 0 and 3", srv.Count("reader2@example.com"), srv.Total())
	}
}
