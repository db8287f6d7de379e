package subscribers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A confirmation whose address the relay refuses for good (550 5.1.1 at
// RCPT TO) is the reader's hard bounce, as a campaign's refusal is: the
// event is stored, the pending reader is bounced (their address never
// took a mail) and the address suppressed, and the mail is neither
// retried by the task nor queued again by the reconciler. A 451 still
// hands the mail back for the retry, the reader untouched.
func TestConfirmRefusedForGoodIsABounce(t *testing.T) {
	e := newSignupEnv(t)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{RejectDomain: "gone.example"}))
	e.c.Transport = mailtest.SMTPTo(t, srv.URL())
	ctx := context.Background()
	signups := NewSignups(e.store, e.q, nil)
	for _, addr := range []string{"ann@gone.example", "bo@example.com"} {
		if err := signups.Signup(ctx, &Signup{Email: addr, Lists: []string{"sport"}}); err != nil {
			t.Fatal(err)
		}
	}
	signups.Close()
	for _, task := range e.q.tasks {
		if err := e.c.ProcessTask(ctx, task); err != nil {
			t.Errorf("the task failed, to be retried: %v", err)
		}
	}
	e.q.tasks = nil

	type row struct {
		Status            string
		Bounces, Flag     int
		Suppressed        bool
		Events            int
		EventKind, Source string
	}
	read := func(addr string) row {
		t.Helper()
		var r row
		err := e.store.db.Read.QueryRow(`SELECT status, bounce_count, confirm_queued,
			EXISTS (SELECT 1 FROM suppressions WHERE target = email_key AND reason = 'bounce'),
			(SELECT count(*) FROM events WHERE subscriber_id = subscribers.id),
			ifnull((SELECT kind || ' ' || status FROM events WHERE subscriber_id = subscribers.id), ''),
			ifnull((SELECT source FROM events WHERE subscriber_id = subscribers.id), '')
			FROM subscribers WHERE email_key = ?`, addr).
			Scan(&r.Status, &r.Bounces, &r.Flag, &r.Suppressed, &r.Events, &r.EventKind, &r.Source)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	want := map[string]row{
		"ann@gone.example": {Status: "bounced", Bounces: 1, Suppressed: true, Events: 1, EventKind: "bounce_hard 5.1.1", Source: "smtp"},
		"bo@example.com":   {Status: "pending"},
	}
	got := map[string]row{"ann@gone.example": read("ann@gone.example"), "bo@example.com": read("bo@example.com")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("readers after the refusal (-want +got):\n%s", diff)
	}

	// Much later, the reconciler finds nothing to send again.
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ?`, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := e.store.Reconcile(ctx, e.q); err != nil || n != 0 {
		t.Errorf("the reconciler queued %d confirmations (%v), want none", n, err)
	}
	var ann int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email_key = 'ann@gone.example'`).Scan(&ann); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ResendConfirm(ctx, ann); err == nil || !strings.Contains(err.Error(), "refused their address") {
		t.Errorf("sending the bounced reader's confirmation again: %v, want a refusal saying the address was refused", err)
	}
	// A pending reader whose address is suppressed is told so, not
	// answered as if a mail would go.
	if _, err := e.store.db.Write.Exec(`INSERT INTO suppressions (target, reason, source, created_at) VALUES ('bo@example.com', 'manual', 'admin', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	var bo int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email_key = 'bo@example.com'`).Scan(&bo); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ResendConfirm(ctx, bo); err == nil || !strings.Contains(err.Error(), "suppression list") {
		t.Errorf("sending a suppressed reader's confirmation again: %v, want a refusal naming the suppression list", err)
	}

	// A refusal for now is retried, as before.
	srv.SetFaults(smtptest.Faults{TempFailRate: 1})
	signups = NewSignups(e.store, e.q, nil)
	if err := signups.Signup(ctx, &Signup{Email: "cy@example.com", Lists: []string{"sport"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	for _, task := range e.q.tasks {
		if err := e.c.ProcessTask(ctx, task); err == nil {
			t.Error("a confirmation refused with 451 did not fail its task, to be retried")
		}
	}
	if diff := cmp.Diff(row{Status: "pending", Flag: 1}, read("cy@example.com")); diff != "" {
		t.Errorf("the reader refused for now (-want +got):\n%s", diff)
	}
}
