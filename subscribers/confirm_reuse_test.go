package subscribers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// endingTransport hands each message to box, then ends the task's
// context, as a shutdown or the task's deadline does once the mails are
// out.
type endingTransport struct {
	box    mailbox
	cancel context.CancelFunc
}

func (t endingTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	err := t.box.Send(ctx, from, to, msg)
	t.cancel()
	return err
}

// A task whose context ends while its mails go still records them as
// sent: rows left claimed would be sent again by the reconciler.
func TestConfirmTaskRecordsMailsSentAsItEnds(t *testing.T) {
	e := newSignupEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.c.Transport = endingTransport{box: e.box, cancel: cancel}
	signups := NewSignups(e.store, e.q, nil)
	for _, addr := range []string{"ada@example.com", "bo@example.com"} {
		if err := signups.Signup(context.Background(), &Signup{Email: addr, Lists: []string{"sport"}}); err != nil {
			t.Fatal(err)
		}
	}
	signups.Close()
	task, err := queue.NewConfirmTask(queuedItems(t, e.q))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.ProcessTask(ctx, task); err != nil {
		t.Fatalf("task: %v", err)
	}
	if ctx.Err() == nil || len(e.box) != 2 {
		t.Fatalf("context %v, %d mails: the test did not end the task while it sent", ctx.Err(), len(e.box))
	}
	var queued int
	if err := e.store.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers WHERE confirm_queued != 0`).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued != 0 {
		t.Fatalf("%d readers still flagged after their mail went, want 0", queued)
	}
	// Long after, the reconciler finds nothing to send again.
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ?`,
		sqlite.Now().Add(-2*reconcileAge)); err != nil {
		t.Fatal(err)
	}
	e.q.tasks = nil
	if n, err := e.store.Reconcile(context.Background(), e.q); err != nil || n != 0 {
		t.Fatalf("reconciler queued %d confirmations (%v), want 0", n, err)
	}
}

// Confirmations are composed into bytes reused from earlier tasks: each
// reader of several tasks in a row still gets a mail of their own, to
// their address, with their link, whole.
func TestConfirmationsReuseNoOnesBytes(t *testing.T) {
	e := newSignupEnv(t)
	const tasks, each = 3, 2*claimChunk + 3
	for k := range tasks {
		signups := NewSignups(e.store, e.q, nil)
		for i := range each {
			// Names of different lengths, so that a mail written over a
			// longer one would leave its tail behind.
			in := &Signup{Email: fmt.Sprintf("r%d-%02d@example.com", k, i), Name: strings.Repeat("N", (k*7+i)%23),
				Lists: []string{"sport"}}
			if err := signups.Signup(context.Background(), in); err != nil {
				t.Fatal(err)
			}
		}
		signups.Close()
		task, err := queue.NewConfirmTask(queuedItems(t, e.q))
		e.q.tasks = nil
		if err != nil {
			t.Fatal(err)
		}
		if err := e.c.ProcessTask(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
	for k := range tasks {
		for i := range each {
			addr := fmt.Sprintf("r%d-%02d@example.com", k, i)
			raw := string(e.box[addr])
			if !strings.Contains(raw, "To: ") || !strings.Contains(raw, addr+">") {
				t.Fatalf("the mail to %s is not addressed to it:\n%.400s", addr, raw)
			}
			_, token := e.takeMail(addr)
			var want int64
			if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = ?`, addr).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if id, ok := e.c.Signer.claimedID(token); !ok || id != want {
				t.Fatalf("the mail to %s (subscriber %d) links to subscriber %d", addr, want, id)
			}
			if !strings.HasSuffix(strings.TrimSpace(raw), "--") || strings.Count(raw, "Content-Type: text/html") != 1 {
				t.Fatalf("the mail to %s is not whole:\n%s", addr, raw)
			}
		}
	}
}
