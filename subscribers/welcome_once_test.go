package subscribers

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// welcomeEnv is a signupEnv whose store queues welcome mails, and sends
// them the way the worker does (campaigns.HandleWelcome): WelcomeMail
// says whether there is one to send, MarkWelcomed records it sent.
type welcomeEnv struct {
	*signupEnv
	wq   *taskQueue
	sent map[int64]int // welcome mails sent, by list id
}

func newWelcomeEnv(t *testing.T) *welcomeEnv {
	t.Helper()
	e := &welcomeEnv{signupEnv: newSignupEnv(t), wq: &taskQueue{}, sent: map[int64]int{}}
	e.store.SetWelcomeQueue(e.wq)
	welcome := "Welcome to the sports desk."
	if _, err := e.store.UpdateList(context.Background(), "sport", &ListPatch{Welcome: &welcome}); err != nil {
		t.Fatal(err)
	}
	return e
}

// deliver runs the welcome tasks queued so far, as the worker would.
func (e *welcomeEnv) deliver() {
	e.t.Helper()
	ctx := context.Background()
	tasks := e.wq.tasks
	e.wq.tasks = nil
	for _, task := range tasks {
		var p queue.WelcomePayload
		if err := json.Unmarshal(task.Payload(), &p); err != nil {
			e.t.Fatal(err)
		}
		w, err := e.store.WelcomeMail(ctx, p.SubscriberID, p.ListID)
		if err != nil {
			e.t.Fatal(err)
		}
		if w == nil {
			continue
		}
		e.sent[p.ListID]++
		if err := e.store.MarkWelcomed(ctx, p.SubscriberID, p.ListID); err != nil {
			e.t.Fatal(err)
		}
	}
	// A task lost on the way is queued again by the reconciler: run it
	// too, as if an hour had passed.
	if _, err := e.store.db.Write.Exec(`UPDATE welcomes SET queued_at = ? WHERE sent_at IS NULL`, time.Now().Add(-time.Hour)); err != nil {
		e.t.Fatal(err)
	}
	if n, err := e.store.ReconcileWelcomes(ctx, e.wq); err != nil {
		e.t.Fatal(err)
	} else if n > 0 {
		e.deliver()
	}
}

// confirmedReader signs addr up for news and sport through the form and
// clicks the link mailed, as a reader does.
func (e *welcomeEnv) confirmedReader(addr string) int64 {
	e.t.Helper()
	e.signup(&Signup{Email: addr, Lists: []string{"news", "sport"}})
	_, token := e.takeMail(addr)
	sub, err := e.click(token)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub.ID
}

// savePreferences saves the preferences page of reader id with lists
// ticked, as the page's form does: it reads the page, then saves.
func (e *welcomeEnv) savePreferences(id int64, lists ...string) {
	e.t.Helper()
	ctx := context.Background()
	sub, _, err := e.store.PreferencesOf(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SetPreferences(ctx, id, Preferences{Name: sub.Name, Frequency: "daily", Lists: lists}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *welcomeEnv) listID(slug string) int64 {
	e.t.Helper()
	l, err := e.store.ListBySlug(context.Background(), slug)
	if err != nil {
		e.t.Fatal(err)
	}
	return l.ID
}

// untickAndTickSport has reader id untick sport on their preferences page,
// then tick it again, and delivers the welcomes that queued.
func (e *welcomeEnv) untickAndTickSport(id int64) {
	e.t.Helper()
	e.savePreferences(id, "news")
	e.savePreferences(id, "news", "sport")
	e.deliver()
}

// leavingSport are the ways a reader on news and sport leaves sport: on
// their preferences page, by the one-click unsubscribe of a sport mail,
// or by leaving everything.
var leavingSport = []struct {
	name  string
	leave func(e *welcomeEnv, id int64)
}{
	{"unticks the list", func(e *welcomeEnv, id int64) { e.savePreferences(id, "news") }},
	{"unticks every list", func(e *welcomeEnv, id int64) { e.savePreferences(id) }},
	{"leaves the list by its mail's link", func(e *welcomeEnv, id int64) {
		if err := e.store.LeaveList(context.Background(), id, e.listID("sport")); err != nil {
			e.t.Fatal(err)
		}
	}},
	{"unsubscribes", func(e *welcomeEnv, id int64) {
		if err := e.store.Unsubscribe(context.Background(), id); err != nil {
			e.t.Fatal(err)
		}
	}},
}

// A list's welcome mail goes to a reader once: a reader who unticks the
// list on their preferences page and ticks it again later, or leaves
// every list and comes back, or unsubscribes and picks the list again on
// the page, is not welcomed a second time.
func TestWelcomeGoesOncePerReaderAndList(t *testing.T) {
	for _, tt := range leavingSport {
		t.Run(tt.name, func(t *testing.T) {
			e := newWelcomeEnv(t)
			sport := e.listID("sport")
			id := e.confirmedReader("ann@example.com")
			e.deliver()
			if e.sent[sport] != 1 {
				t.Fatalf("%d welcome mails for sport after confirming, want 1", e.sent[sport])
			}
			tt.leave(e, id)
			e.deliver()
			e.savePreferences(id, "news", "sport")
			e.deliver()
			e.untickAndTickSport(id)
			if e.sent[sport] != 1 {
				t.Errorf("%d welcome mails for sport after leaving it and ticking it again, want 1", e.sent[sport])
			}
		})
	}
}

// A reader who leaves the list before its welcome mail went (it waits in
// the queue while the SMTP server is down, say) is not sent it then; when
// they tick the list again they are welcomed, once: they never had it.
// It was given up on as if sent, and ticking the list again brought none.
func TestWelcomeGoesToAReaderWhoLeftBeforeItWent(t *testing.T) {
	for _, tt := range leavingSport {
		t.Run(tt.name, func(t *testing.T) {
			e := newWelcomeEnv(t)
			sport := e.listID("sport")
			id := e.confirmedReader("ann@example.com")
			tt.leave(e, id)
			e.deliver()
			if e.sent[sport] != 0 {
				t.Fatalf("%d welcome mails for sport to a reader who left it, want 0", e.sent[sport])
			}
			e.savePreferences(id, "news", "sport")
			e.deliver()
			if e.sent[sport] != 1 {
				t.Errorf("%d welcome mails for sport after ticking it again, want 1", e.sent[sport])
			}
			e.untickAndTickSport(id)
			if e.sent[sport] != 1 {
				t.Errorf("%d welcome mails for sport after leaving it and ticking it again once more, want 1", e.sent[sport])
			}
		})
	}
}

// A welcome dropped for a reader who could not take it is forgotten only
// while they still cannot: one who joined the list again since the
// worker looked keeps theirs, and gets it.
func TestForgetWelcomeKeepsOneTheReaderCanTake(t *testing.T) {
	e := newWelcomeEnv(t)
	sport := e.listID("sport")
	id := e.confirmedReader("ann@example.com")
	if err := e.store.forgetWelcome(context.Background(), id, sport); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	if e.sent[sport] != 1 {
		t.Errorf("%d welcome mails for sport, want 1", e.sent[sport])
	}
}
