package webhooks

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A token is taken once with its body: again with the same body (a
// retry), refused with another (a replay), also by the ledger of a new
// process on the same database; past its time it is forgotten, as its
// timestamp is stale by then, and its row goes.
func TestTokensTakeEachTokenOnce(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	db := sqlitetest.Open(t)
	first, restarted := &Tokens{db: db, now: clock}, &Tokens{db: db, now: clock}
	ctx := context.Background()
	take := func(l *Tokens, token, body string, want bool) {
		t.Helper()
		ok, err := l.Take(ctx, "mailgun", token, []byte(body), now.Add(MaxAge))
		if err != nil || ok != want {
			t.Errorf("Take(%q, %q) = %v, %v; want %v", token, body, ok, err, want)
		}
	}
	take(first, "t1", "a delivery", true)
	take(first, "t1", "a delivery", true)
	take(restarted, "t1", "a complaint", false)
	take(restarted, "t2", "a complaint", true)
	now = now.Add(MaxAge + 2*time.Minute)
	take(restarted, "t1", "a complaint", true)
	take(restarted, "t1", "a delivery", false)
	var stale int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_tokens WHERE expires_at < ?`, now.Unix()).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d tokens past their time kept (%v)", stale, err)
	}
}

// BenchmarkTokensTake measures what keeping Mailgun's tokens in the
// database costs a webhook request: one write transaction, a token a
// request, on a real SQLite file.
//
//	go test ./internal/webhooks -run '^$' -bench TokensTake
func BenchmarkTokensTake(b *testing.B) {
	l := NewTokens(sqlitetest.Open(b))
	ctx := context.Background()
	body := []byte(`{"signature":{},"event-data":{"event":"delivered"}}`)
	i := 0
	for b.Loop() {
		i++
		if ok, err := l.Take(ctx, "mailgun", strconv.Itoa(i), body, time.Now().Add(MaxAge)); !ok || err != nil {
			b.Fatalf("Take = %v, %v", ok, err)
		}
	}
}
