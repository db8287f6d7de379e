package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A reader who confirms gets each joined list's welcome mail once: a
// second click records nothing more, a second run of the task sends
// nothing more, a list without a welcome text sends none, and a task lost
// with the process is rebuilt from its row.
func TestWelcomeMailOncePerConfirmedList(t *testing.T) {
	e, store := newWelcomeEnv(t)
	ctx := context.Background()
	e.exec(t, `UPDATE lists SET welcome = ?, from_address = ? WHERE slug = 'quay'`,
		"Hello {{ .Name }}, and welcome to **the Quay letter**.", "Quay Desk <desk@quay.example>")
	e.exec(t, `INSERT INTO lists (slug, name, public, digest, created_at) VALUES ('plain', 'Plain', 1, 'off', ?)`, time.Now())
	e.exec(t, `UPDATE subscribers SET status = 'pending' WHERE id = ?`, e.reader)
	e.exec(t, `UPDATE subscriptions SET status = 'pending' WHERE subscriber_id = ?`, e.reader)
	e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT ?, id, 'pending', ?, ? FROM lists WHERE slug = 'plain'`, e.reader, time.Now(), time.Now())

	for range 2 {
		if _, err := store.Confirm(ctx, e.reader); err != nil {
			t.Fatal(err)
		}
	}
	tasks := e.q.take(queue.TypeWelcomeSend)
	if len(tasks) != 1 {
		t.Fatalf("%d welcome tasks, want 1 (the list with a welcome text, once)", len(tasks))
	}
	for range 2 {
		if err := e.svc.HandleWelcome(ctx, tasks[0]); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.out.msgs) != 1 {
		t.Fatalf("%d readers mailed, want 1", len(e.out.msgs))
	}
	pm := mailtest.Parse(t, e.out.msgs[goldenReader.Address])
	if s := pm.Header.Get("Subject"); s != "Welcome to Quay" {
		t.Errorf("Subject = %q", s)
	}
	if !strings.Contains(pm.Text, "Hello Zoë O'Hara, and welcome to the Quay letter.") ||
		!strings.Contains(pm.HTML, "<strong>the Quay letter</strong>") {
		t.Errorf("welcome text not rendered for the reader:\n%s", pm.Text)
	}
	// The welcome's one-click leaves its own list, Quay.
	unsub := goldenBaseURL + "/unsubscribe/" + e.signer.SignList(e.reader, e.list)
	if pm.Header.Get("List-Unsubscribe") != "<"+unsub+">" || !strings.Contains(pm.Header.Get("From"), "desk@quay.example") {
		t.Errorf("List-Unsubscribe %q, From %q", pm.Header.Get("List-Unsubscribe"), pm.Header.Get("From"))
	}
	var unsent int
	if err := e.db.Read.QueryRow(`SELECT count(*) FROM welcomes WHERE sent_at IS NULL`).Scan(&unsent); err != nil || unsent != 0 {
		t.Fatalf("%d welcomes unsent, %v", unsent, err)
	}

	// A task lost with the process: the row is still unsent when the
	// reconciler looks, and its task is queued again.
	delete(e.out.msgs, goldenReader.Address)
	e.exec(t, `UPDATE welcomes SET sent_at = NULL, queued_at = ?`, time.Now().Add(-time.Hour))
	if n, err := store.ReconcileWelcomes(ctx, e.q); err != nil || n != 1 {
		t.Fatalf("reconcile = %d, %v; want 1", n, err)
	}
	for _, task := range e.q.take(queue.TypeWelcomeSend) {
		if err := e.svc.HandleWelcome(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.out.msgs) != 1 {
		t.Errorf("after reconcile %d readers mailed, want 1", len(e.out.msgs))
	}
	if n, err := store.ReconcileWelcomes(ctx, e.q); err != nil || n != 0 {
		t.Errorf("second reconcile = %d, %v; want 0", n, err)
	}
}

// newWelcomeEnv is a golden env of the list "quay" whose subscriber store
// queues welcome mails into its queue, and whose service sends them
// through its outbox.
func newWelcomeEnv(t *testing.T) (*goldenEnv, *subscribers.Store) {
	t.Helper()
	e := newGoldenEnv(t, "quay", "Quay", "off")
	store := subscribers.NewStore(e.db)
	store.SetWelcomeQueue(e.q)
	e.svc.Welcomes = store
	e.svc.Transport = e.out
	return e, store
}
