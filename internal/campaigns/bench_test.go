package campaigns_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// benchRecipients is how many recipients the benchmarks' campaigns have.
const benchRecipients = 10_000

// benchEnv returns an env at the default page size whose lists a and b
// hold benchRecipients confirmed subscribers, a third of them in both, and
// a few hundred subscribers who are not recipients in between.
func benchEnv(b *testing.B) *env {
	e := newEnv(b)
	e.svc.PageSize = campaigns.DefaultPageSize
	la, lb := e.addList(b, "a"), e.addList(b, "b")
	now := time.Now().UTC()
	// Every 25th subscriber is unsubscribed, so there are more than
	// benchRecipients subscribers in all.
	total := benchRecipients + benchRecipients/24
	e.exec(b, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
		SELECT 'r' || i || '@example.com', 'r' || i || '@example.com', 'Reader ' || i,
			CASE WHEN i % 25 = 0 THEN 'unsubscribed' ELSE 'confirmed' END, ?, ? FROM n`, total, now, now)
	e.exec(b, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT id, ?, 'active', ?, ? FROM subscribers`, la, now, now)
	e.exec(b, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT id, ?, 'active', ?, ? FROM subscribers WHERE id % 3 = 0`, lb, now, now)
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers WHERE status = 'confirmed'`).Scan(&n); err != nil || n != benchRecipients {
		b.Fatalf("seeded %d recipients (%v)", n, err)
	}
	return e
}

// perRecipient reports the time per recipient of a benchmark whose every
// iteration handled n recipients.
func perRecipient(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/recipient")
}

// BenchmarkFanout times the fan-out of a whole campaign, page by page:
// "kick" as serve runs it, handing each batch to its own sender with the
// deliveries inserted claimed; "task" queueing a mail:send task per page.
// Run it with:
//
//	go test ./internal/campaigns -run '^$' -bench Fanout -benchtime 20x
func BenchmarkFanout(b *testing.B) {
	for _, mode := range []string{"kick", "task"} {
		b.Run(mode, func(b *testing.B) {
			e := benchEnv(b)
			ctx := context.Background()
			var recipients int
			for b.Loop() {
				b.StopTimer()
				id := e.create(b, "a", "b")
				if _, err := e.svc.Send(ctx, id); err != nil {
					b.Fatal(err)
				}
				recipients = 0
				if mode == "kick" {
					e.svc.Kick = func(p *queue.SendPayload) { recipients += len(p.Recipients) }
				}
				b.StartTimer()
				e.fanout(b)
				b.StopTimer()
				e.svc.Kick = nil
				for _, t := range e.q.take(queue.TypeMailSend) {
					recipients += len(payload(b, t).Recipients)
				}
				if recipients != benchRecipients {
					b.Fatalf("fan-out made %d deliveries, want %d", recipients, benchRecipients)
				}
				e.exec(b, `DELETE FROM deliveries WHERE campaign_id = ?`, id)
				b.StartTimer()
			}
			perRecipient(b, benchRecipients)
		})
	}
}

// fannedOut returns a campaign of benchRecipients recipients fanned out
// and its batches, as serve's fan-out hands them to its sender.
func fannedOut(b *testing.B) (*env, int64, []*queue.SendPayload) {
	e := benchEnv(b)
	ctx := context.Background()
	id := e.create(b, "a", "b")
	if _, err := e.svc.Send(ctx, id); err != nil {
		b.Fatal(err)
	}
	var batches []*queue.SendPayload
	e.svc.Kick = func(p *queue.SendPayload) { batches = append(batches, p) }
	e.fanout(b)
	e.svc.Kick = nil
	return e, id, batches
}

// requeue puts every delivery of campaign id back in the queue, unclaimed,
// and the campaign back to sending.
func (e *env) requeue(b *testing.B, id int64) {
	e.exec(b, `UPDATE deliveries SET status = 'queued', sent_at = NULL, last_error = '', claimed_until = NULL, attempts = 0 WHERE campaign_id = ?`, id)
	e.exec(b, `UPDATE campaigns SET status = 'sending', finished_at = NULL WHERE id = ?`, id)
}

// BenchmarkRecord times the recording of a campaign's results, sent one
// by one: the recorder writes whatever arrived since its last write, so
// the writes hold from one to a few hundred results each, as many one
// time as the next seldom (here 1 to 400, in an order that repeats only
// every 400 writes). BULLETIN_BENCH_WRITE=n makes every write n results,
// to compare sizes: a write's commit costs more than its rows.
//
//	go test ./internal/campaigns -run '^$' -bench Record -benchtime 20x
func BenchmarkRecord(b *testing.B) {
	fixed, _ := strconv.Atoi(os.Getenv("BULLETIN_BENCH_WRITE"))
	e, id, batches := fannedOut(b)
	ctx := context.Background()
	var results []queue.Result
	for _, p := range batches {
		for _, r := range p.Recipients {
			results = append(results, queue.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: queue.ResultSent})
		}
	}
	if len(results) != benchRecipients {
		b.Fatalf("%d deliveries, want %d", len(results), benchRecipients)
	}
	k := 0
	for b.Loop() {
		b.StopTimer()
		e.requeue(b, id)
		at := time.Now().UTC()
		b.StartTimer()
		for i := 0; i < len(results); k++ {
			size := 1 + k*137%400
			if fixed > 0 {
				size = fixed
			}
			write := results[i:min(i+size, len(results))]
			for j := range write {
				write[j].At = at
			}
			if err := e.svc.Record(ctx, id, write); err != nil {
				b.Fatal(err)
			}
			i += len(write)
			at = at.Add(time.Millisecond)
		}
	}
	perRecipient(b, benchRecipients)
	var sent int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE campaign_id = ? AND status = 'sent'`, id).Scan(&sent)
	if sent != benchRecipients {
		b.Fatalf("%d deliveries sent, want %d", sent, benchRecipients)
	}
}

// BenchmarkClaim times the claims of a mail:send task's sender: chunks of
// 250 deliveries, as mailer.Sender takes them by default.
//
//	go test ./internal/campaigns -run '^$' -bench Claim -benchtime 20x
func BenchmarkClaim(b *testing.B) {
	e, id, batches := fannedOut(b)
	ctx := context.Background()
	ledger := e.svc.Ledger()
	for b.Loop() {
		b.StopTimer()
		e.requeue(b, id)
		b.StartTimer()
		claimed := 0
		for _, p := range batches {
			for i := 0; i < len(p.Recipients); i += 250 {
				rs := p.Recipients[i:min(i+250, len(p.Recipients))]
				got, stopped, err := ledger.Claim(ctx, p, rs)
				if err != nil || stopped {
					b.Fatal(err, stopped)
				}
				claimed += len(got)
			}
		}
		if claimed != benchRecipients {
			b.Fatalf("claimed %d, want %d", claimed, benchRecipients)
		}
	}
	perRecipient(b, benchRecipients)
}
