package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
)

// A signup or an import of a suppressed address (or of an address on a
// suppressed domain) answers as any other and mails nothing; other
// addresses still get their confirmation.
func TestSuppressedAddressGetsNoMail(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	ev := events.NewStore(e.store.db)
	for _, target := range []string{"Robin@Tidewater.test", "spamtrap.test"} {
		if err := ev.Suppress(ctx, target, events.ReasonComplaint, "arf"); err != nil {
			t.Fatal(err)
		}
	}
	for _, addr := range []string{"robin@tidewater.test", "ROBIN@tidewater.test", "anyone@spamtrap.test", "kai@tidewater.test"} {
		e.signup(&Signup{Email: addr, Lists: []string{"sport"}}) // fails the test on any error: the answer is the same
	}
	for _, addr := range []string{"robin@tidewater.test", "ROBIN@tidewater.test", "anyone@spamtrap.test"} {
		if text, _ := e.takeMail(addr); text != "" {
			t.Errorf("confirmation mailed to suppressed %s", addr)
		}
	}
	if text, _ := e.takeMail("kai@tidewater.test"); text == "" {
		t.Error("no confirmation to kai@tidewater.test, who is not suppressed")
	}

	rep, err := e.store.Import(ctx, strings.NewReader("email\nlee@spamtrap.test\nmo@tidewater.test\n"), ImportOptions{List: "sport", Confirms: e.q})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2 || rep.Invalid != 0 || rep.Skipped != 0 {
		t.Errorf("import report %+v: want both rows added, as for any address", rep)
	}
	tasks := e.q.tasks
	e.q.tasks = nil
	for _, task := range tasks {
		if err := e.c.ProcessTask(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	if text, _ := e.takeMail("lee@spamtrap.test"); text != "" {
		t.Error("confirmation mailed to an imported address on a suppressed domain")
	}
	if text, _ := e.takeMail("mo@tidewater.test"); text == "" {
		t.Error("no confirmation to mo@tidewater.test, imported and not suppressed")
	}
	// Nor does the reconciler mail them later, taking their flagged rows
	// for lost tasks.
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = datetime(confirm_sent_at, '-1 hour')`); err != nil {
		t.Fatal(err)
	}
	q := &taskQueue{}
	if _, err := e.store.Reconcile(ctx, q); err != nil {
		t.Fatal(err)
	}
	for _, task := range q.tasks {
		if err := e.c.ProcessTask(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	for addr := range e.box {
		t.Errorf("reconciler mailed %s", addr)
	}
}
