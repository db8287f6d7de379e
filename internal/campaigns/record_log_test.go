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

// recordLogged records, times over, the results made from the campaign's
// readers (as many as replies) with one status each, and returns the
// service's log.
func recordLogged(t *testing.T, times int, statuses []string, replies []string) string {
	t.Helper()
	e := newEnv(t)
	var logs bytes.Buffer
	e.svc.Store.Log = slog.New(slog.NewTextHandler(&logs, nil))
	e.addReaders(t, len(replies), e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, len(replies))
	at := time.Now().UTC()
	results := make([]queue.Result, len(replies))
	for i, r := range rs {
		results[i] = queue.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID,
			Status: statuses[i], Reply: replies[i], At: at}
	}
	for range times {
		if err := e.svc.Record(context.Background(), id, results); err != nil {
			t.Fatal(err)
		}
	}
	return logs.String()
}

// A delivery that fails for good leaves one warn line with its reason,
// once however often its result is recorded; a sent one or a retry none.
func TestRecordLogsFailedDeliveriesOnce(t *testing.T) {
	logs := recordLogged(t, 2,
		[]string{queue.ResultSent, queue.ResultBounced, queue.ResultFailed, queue.ResultRetry},
		[]string{"", "550 5.1.1 mailbox unknown", "421 4.3.0 try later, gave up", "451 4.7.1 greylisted"})
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		if strings.Contains(l, "campaign delivery failed") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d warn lines, want 2 (bounced, failed):\n%s", len(lines), logs)
	}
	for i, want := range []string{"550 5.1.1 mailbox unknown", "421 4.3.0 try later, gave up"} {
		if !strings.Contains(lines[i], "level=WARN") || !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s, want a warn line with %q", i, lines[i], want)
		}
	}
}

// The warn line of a delivery failed for good carried the reader's
// address from the relay's answer ("550 5.1.1 … user unknown
// reader01673@mail0.test"): the log names no reader, and the mail
// server's trouble line leaves addresses out already. It says
// "<address>" instead, quoted or not, and keeps the rest of the answer.
func TestRecordLogNamesNoAddress(t *testing.T) {
	logs := recordLogged(t, 1,
		[]string{queue.ResultBounced, queue.ResultFailed},
		[]string{"550 5.1.1 The email account that you tried to reach does not exist: user unknown reader01673@mail0.test",
			`452 4.2.2 <"ann smith"@example.com>: mailbox full`})
	for _, leak := range []string{"reader01673", "mail0.test", "ann smith", "example.com"} {
		if strings.Contains(logs, leak) {
			t.Errorf("the log shows %q:\n%s", leak, logs)
		}
	}
	for _, want := range []string{"does not exist: user unknown <address>", `452 4.2.2 <address>: mailbox full`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}
}
