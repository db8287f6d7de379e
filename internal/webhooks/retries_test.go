package webhooks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// Mailgun reports each try of a message that failed for now: three tries
// of one message are no bounce at all, however many events they make.
func TestMailgunDeferralsOfOneMessageAreNoBounces(t *testing.T) {
	mg := NewMailgun("mg-key", testVERP, NewTokens(sqlitetest.Open(t)))
	ctx := context.Background()
	for try := 1; try <= 3; try++ {
		body := []byte(strings.NewReplacer(
			`"mg-failed-temporary-0002"`, fmt.Sprintf(`"mg-failed-temporary-try-%d"`, try),
			`"attempt-no": 2`, fmt.Sprintf(`"attempt-no": %d`, try),
		).Replace(string(read(t, "mailgun_deferral"))))
		evs, err := mg.Events(ctx, nil, mailgunSigned(body, "mg-key", fmt.Sprint("try-", try), time.Now()))
		if err != nil || len(evs) != 0 {
			t.Errorf("try %d: %d events, %v; want none, accepted", try, len(evs), err)
		}
	}
}

// A provider's retry of a webhook we did not answer carries the first
// try's timestamp: Mailgun's last comes 7 h 30 min after it, SendGrid's up
// to 24 h after the event. Those are taken; a timestamp past the
// provider's window (MailgunMaxAge, MaxAge), or ahead of our clock by more
// than MaxSkew, is refused as stale.
func TestRetriesOfAnOutageAreTaken(t *testing.T) {
	ctx := context.Background()
	mg := NewMailgun("mg-key", testVERP, NewTokens(sqlitetest.Open(t)))
	sg, key := newTestSendGrid(t, testVERP)
	for _, tc := range []struct {
		name                        string
		age                         time.Duration
		mailgunStale, sendgridStale bool
	}{
		{"first try", 0, false, false},
		{"mailgun's last retry", 7*time.Hour + 30*time.Minute, false, false},
		{"past MailgunMaxAge", MailgunMaxAge + time.Minute, true, false},
		{"sendgrid's last retry", 24 * time.Hour, true, false},
		{"past MaxAge", MaxAge + time.Minute, true, true},
		{"a clock a little ahead", -2 * time.Minute, false, false},
		{"signed an hour ahead", -time.Hour, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed := time.Now().Add(-tc.age)
			evs, err := mg.Events(ctx, nil, mailgunSigned(read(t, "mailgun_bounce"), "mg-key", "tok-"+tc.name, signed))
			checkStale(t, "mailgun", len(evs), err, tc.mailgunStale, errMailgunStale)
			body := read(t, "sendgrid_bounce")
			evs, err = sg.Events(ctx, sendGridSigned(key, body, signed), body)
			checkStale(t, "sendgrid", len(evs), err, tc.sendgridStale, errStale)
		})
	}
}

func checkStale(t *testing.T, provider string, n int, err error, stale bool, errStale error) {
	t.Helper()
	switch {
	case stale && !errors.Is(err, errStale):
		t.Errorf("%s: %d events, %v; want refused as stale", provider, n, err)
	case !stale && (err != nil || n == 0):
		t.Errorf("%s: %d events, %v; want taken", provider, n, err)
	}
}

// Within its window a Mailgun token still goes with one body only:
// a retry 8 hours late is taken again (its events are stored once by their
// keys), the same signature with a complaint in place of a delivery is a
// replay.
func TestMailgunTokenIsKeptForTheWholeWindow(t *testing.T) {
	ctx := context.Background()
	clock := time.Now()
	tokens := NewTokens(sqlitetest.Open(t))
	tokens.now = func() time.Time { return clock }
	mg := NewMailgun("mg-key", testVERP, tokens)
	mg.Now = tokens.now
	signed := clock.Add(-8 * time.Hour)
	delivery := mailgunSigned(read(t, "mailgun_delivery"), "mg-key", "tok-1", signed)
	if _, err := mg.Events(ctx, nil, delivery); err != nil {
		t.Fatalf("delivery: %v", err)
	}
	if _, err := mg.Events(ctx, nil, delivery); err != nil {
		t.Errorf("the delivery again: %v, want taken", err)
	}
	clock = signed.Add(MailgunMaxAge - time.Minute)
	complaint := mailgunSigned(read(t, "mailgun_complaint"), "mg-key", "tok-1", signed)
	if evs, err := mg.Events(ctx, nil, complaint); !errors.Is(err, errReplay) {
		t.Errorf("its signature on a complaint %v later: %d events, %v; want a replay", MailgunMaxAge-time.Minute, len(evs), err)
	}
}

// Tokens are kept for MaxAge and no longer: under a steady flow of
// webhooks the ledger holds about MaxAge of them, whatever has gone by.
func TestTokensLedgerStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few thousand write transactions")
	}
	now := time.Unix(1_800_000_000, 0)
	db := sqlitetest.Open(t)
	l := &Tokens{db: db, now: func() time.Time { return now }}
	ctx := context.Background()
	const every = 2 * time.Minute
	limit := int(MaxAge/every) + 1
	most := 0
	for i := 0; now.Before(time.Unix(1_800_000_000, 0).Add(3 * MaxAge)); i++ {
		if ok, err := l.Take(ctx, "mailgun", fmt.Sprint(i), []byte("body"), now.Add(MaxAge)); !ok || err != nil {
			t.Fatalf("Take %d = %v, %v", i, ok, err)
		}
		var n int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_tokens`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		most = max(most, n)
		now = now.Add(every)
	}
	if most > limit {
		t.Errorf("the ledger held %d tokens, want at most %d (one every %v for %v)", most, limit, every, MaxAge)
	}
	if most < limit-1 {
		t.Errorf("the ledger held at most %d tokens, want about %d: tokens forgotten before MaxAge", most, limit)
	}
}
