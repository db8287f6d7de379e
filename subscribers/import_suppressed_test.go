package subscribers

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
)

// The report counts the confirmation mails that go, not the pending
// readers: a suppressed address is imported pending as any other and
// counted apart, as mailed nothing.
func TestImportCountsSuppressedApart(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	ev := events.NewStore(e.store.db)
	for _, target := range []string{"robin@tidewater.test", "spamtrap.test"} {
		if err := ev.Suppress(ctx, target, events.ReasonComplaint, "arf"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.Create(ctx, &NewSubscriber{Email: "kim@spamtrap.test", Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	in := "email,lists\nrobin@tidewater.test,news\nlee@spamtrap.test,news\nmo@tidewater.test,news\nkim@spamtrap.test,sport\n"
	rep := e.importRun(in, ImportOptions{})
	if rep.Pending != 3 || rep.Asked != 1 || rep.Suppressed != 3 || rep.Queued != 1 {
		t.Errorf("report: pending %d, asked %d, suppressed %d, queued %d; want 3, 1, 3 and 1",
			rep.Pending, rep.Asked, rep.Suppressed, rep.Queued)
	}
	if len(e.box) != 1 {
		t.Errorf("%d mails sent, want 1 (to mo@tidewater.test)", len(e.box))
	}
}
