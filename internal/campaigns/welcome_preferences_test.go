package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A confirmed reader who ticks a list on their preferences page gets its
// welcome mail, as a confirmation link gives it; once, so leaving and
// joining again, or saving the page again, sends no second one. A list
// they were on already sends none.
func TestWelcomeMailWhenJoiningFromPreferences(t *testing.T) {
	e, store := newWelcomeEnv(t)
	ctx := context.Background()
	e.exec(t, `UPDATE lists SET welcome = 'Welcome back to the quay.' WHERE slug = 'quay'`)
	e.exec(t, `INSERT INTO lists (slug, name, public, digest, welcome, created_at) VALUES ('tides', 'Tides', 1, 'off', 'Hello {{ .Name }}, the tides are yours.', ?)`, time.Now())

	set := func(lists ...string) {
		t.Helper()
		if err := store.SetPreferences(ctx, e.reader, subscribers.Preferences{Name: "Zoë O'Hara", Frequency: "daily", Lists: lists}); err != nil {
			t.Fatal(err)
		}
	}
	set("quay", "tides")
	tasks := e.q.take(queue.TypeWelcomeSend)
	if len(tasks) != 1 {
		t.Fatalf("%d welcome tasks after joining tides, want 1 (not quay, joined before)", len(tasks))
	}
	if err := e.svc.HandleWelcome(ctx, tasks[0]); err != nil {
		t.Fatal(err)
	}
	pm := mailtest.Parse(t, e.out.msgs[goldenReader.Address])
	if s := pm.Header.Get("Subject"); s != "Welcome to Tides" {
		t.Errorf("Subject = %q, want the welcome to Tides", s)
	}

	set("quay")
	set("quay", "tides")
	set("quay", "tides")
	if n := len(e.q.take(queue.TypeWelcomeSend)); n != 0 {
		t.Errorf("%d welcome tasks after leaving and joining again, want 0", n)
	}
}

// A confirmed reader whose address the publisher suppressed by hand ticks
// a list: the welcome is dropped, as every campaign and digest skips that
// address, and marked done, so the reconciler does not queue it again.
func TestWelcomeNotSentToASuppressedAddress(t *testing.T) {
	e, store := newWelcomeEnv(t)
	ctx := context.Background()
	e.exec(t, `INSERT INTO lists (slug, name, public, digest, welcome, created_at) VALUES ('tides', 'Tides', 1, 'off', 'Hello, the tides are yours.', ?)`, time.Now())
	e.exec(t, `INSERT INTO suppressions (target, reason, created_at) SELECT substr(email_key, instr(email_key, '@') + 1), 'manual', ? FROM subscribers WHERE id = ?`, time.Now(), e.reader)
	if err := store.SetPreferences(ctx, e.reader, subscribers.Preferences{Name: "Z", Frequency: "daily", Lists: []string{"quay", "tides"}}); err != nil {
		t.Fatal(err)
	}
	tasks := e.q.take(queue.TypeWelcomeSend)
	if len(tasks) != 1 {
		t.Fatalf("%d welcome tasks, want 1", len(tasks))
	}
	if err := e.svc.HandleWelcome(ctx, tasks[0]); err != nil {
		t.Fatal(err)
	}
	if n := len(e.out.msgs); n != 0 {
		t.Errorf("%d welcome mails went to an address of a suppressed domain, want 0", n)
	}
	e.exec(t, `UPDATE welcomes SET queued_at = ?`, time.Now().Add(-time.Hour))
	if n, err := store.ReconcileWelcomes(ctx, e.q); err != nil || n != 0 {
		t.Errorf("reconcile = %d, %v; want the dropped welcome done, 0", n, err)
	}
}
