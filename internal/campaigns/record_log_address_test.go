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

// The warn line of a delivery failed for good carried the reader's
// address from the relay's answer ("550 5.1.1 … user unknown
// reader01673@mail0.test"): the log names no reader, and the mail
// server's trouble line leaves addresses out already. It says
// "<address>" instead, quoted or not, and keeps the rest of the answer.
func TestRecordLogNamesNoAddress(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	e.svc.Store.Log = slog.New(slog.NewTextHandler(&logs, nil))
	ctx := context.Background()
	e.addReaders(t, 2, e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, 2)
	at := time.Now().UTC()
	results := []queue.Result{
		{DeliveryID: rs[0].DeliveryID, SubscriberID: rs[0].SubscriberID, Status: queue.ResultBounced,
			Reply: "550 5.1.1 The email account that you tried to reach does not exist: user unknown reader01673@mail0.test", At: at},
		{DeliveryID: rs[1].DeliveryID, SubscriberID: rs[1].SubscriberID, Status: queue.ResultFailed,
			Reply: `452 4.2.2 <"ann smith"@example.com>: mailbox full`, At: at},
	}
	if err := e.svc.Record(ctx, id, results); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, leak := range []string{"reader01673", "mail0.test", "ann smith", "example.com"} {
		if strings.Contains(out, leak) {
			t.Errorf("the log shows %q:\n%s", leak, out)
		}
	}
	for _, want := range []string{"does not exist: user unknown <address>", `452 4.2.2 <address>: mailbox full`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log does not say %q:\n%s", want, out)
		}
	}
}
