package mailer_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A worker remembers its results by delivery id. A database restored from
// a backup taken mid-campaign can give a delivery made after the backup
// an id another reader's delivery had before it; the remembered result is
// that other reader's, and taking it as this delivery's would record
// this reader sent without mailing them. Only a result of the same
// subscriber counts as done; the others are sent.
func TestRedisLedgerIgnoresAResultOfAnotherSubscriber(t *testing.T) {
	ctx := context.Background()
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	s := workerSender(t, q, srv)
	p := sendPayload(3, time.Now())
	for _, r := range []tasks.Result{
		{DeliveryID: 101, SubscriberID: 1, Status: tasks.ResultSent, At: time.Now()},  // this reader's: done
		{DeliveryID: 102, SubscriberID: 99, Status: tasks.ResultSent, At: time.Now()}, // before the restore, another's
	} {
		buf, _ := json.Marshal(r)
		if err := q.Redis().HSet(ctx, tasks.DoneKey(p.CampaignID), r.DeliveryID, buf).Err(); err != nil {
			t.Fatal(err)
		}
	}
	runTask(t, s, p)
	for email, want := range map[string]int{"reader1@example.com": 0, "reader2@example.com": 1, "reader3@example.com": 1} {
		if got := srv.Count(email); got != want {
			t.Errorf("%s got %d copies, want %d", email, got, want)
		}
	}
	done, err := q.Redis().HGet(ctx, tasks.DoneKey(p.CampaignID), "102").Result()
	var r tasks.Result
	if err != nil || json.Unmarshal([]byte(done), &r) != nil || r.SubscriberID != 2 {
		t.Errorf("delivery 102 remembered as %s (%v), want subscriber 2's result", done, err)
	}
}
