package campaigns_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A delivery that fails for good leaves one warn line with its reason,
// once however often its result is recorded; a sent one or a retry none.
func TestRecordLogsFailedDeliveriesOnce(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	e.svc.Store.Log = slog.New(slog.NewTextHandler(&logs, nil))
	ctx := context.Background()
	e.addReaders(t, 4, e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, 4)
	at := time.Now().UTC()
	results := []queue.Result{
		{DeliveryID: rs[0].DeliveryID, SubscriberID: rs[0].SubscriberID, Status: queue.ResultSent, At: at},
		{DeliveryID: rs[1].DeliveryID, SubscriberID: rs[1].SubscriberID, Status: queue.ResultBounced, Reply: "550 5.1.1 mailbox unknown", At: at},
		{DeliveryID: rs[2].DeliveryID, SubscriberID: rs[2].SubscriberID, Status: queue.ResultFailed, Reply: "421 4.3.0 try later, gave up", At: at},
		{DeliveryID: rs[3].DeliveryID, SubscriberID: rs[3].SubscriberID, Status: queue.ResultRetry, Reply: "451 4.7.1 greylisted", At: at},
	}
	for range 2 {
		if err := e.svc.Record(ctx, id, results); err != nil {
			t.Fatal(err)
		}
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, "campaign delivery failed") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d warn lines, want 2 (bounced, failed):\n%s", len(lines), logs.String())
	}
	for i, want := range []string{"550 5.1.1 mailbox unknown", "421 4.3.0 try later, gave up"} {
		if !strings.Contains(lines[i], "level=WARN") || !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s, want a warn line with %q", i, lines[i], want)
		}
	}
}
