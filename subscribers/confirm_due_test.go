package subscribers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
)

// A dueEnv is a signupEnv whose signups go through the embedded queue,
// with DueTasks set as serve sets it.
type dueEnv struct {
	*signupEnv
	q       *queue.Queue
	insp    *asynq.Inspector
	signups *Signups
	due     *DueConfirmer
}

func newDueEnv(t *testing.T) *dueEnv {
	t.Helper()
	e := &dueEnv{signupEnv: newSignupEnv(t), q: queuetest.Embedded(t)}
	e.insp = asynq.NewInspectorFromRedisClient(e.q.Redis())
	e.signups = NewSignups(e.store, e.q, nil)
	e.signups.DueTasks = true
	t.Cleanup(func() { e.signups.Close() })
	e.due = &DueConfirmer{Store: e.store, Queue: e.q}
	return e
}

// sign signs addr up for lists and waits until its tasks are queued.
func (e *dueEnv) sign(addr string, lists ...string) {
	e.t.Helper()
	if err := e.signups.Signup(context.Background(), &Signup{Email: addr, Lists: lists}); err != nil {
		e.t.Fatal(err)
	}
	e.signups.Flush()
}

// tasks returns the tasks of the default queue in state ("pending" or
// "scheduled").
func (e *dueEnv) tasks(state string) []*asynq.TaskInfo {
	e.t.Helper()
	list := e.insp.ListPendingTasks
	if state == "scheduled" {
		list = e.insp.ListScheduledTasks
	}
	infos, err := list(queue.QueueDefault)
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return infos
}

// runPending runs the tasks waiting in the queue, as serve's handlers
// would, until none is left.
func (e *dueEnv) runPending() {
	e.t.Helper()
	for infos := e.tasks("pending"); len(infos) > 0; infos = e.tasks("pending") {
		for _, info := range infos {
			if err := e.insp.DeleteTask(queue.QueueDefault, info.ID); err != nil {
				e.t.Fatal(err)
			}
			e.process(info)
		}
	}
}

func (e *dueEnv) process(info *asynq.TaskInfo) {
	e.t.Helper()
	var h asynq.Handler = e.c
	if info.Type == queue.TypeSubscriberConfirmDue {
		h = e.due
	}
	if err := h.ProcessTask(context.Background(), asynq.NewTask(info.Type, info.Payload)); err != nil {
		e.t.Fatal(err)
	}
}

// A signup within ConfirmInterval of the mail sent to its address, asking
// for a list that mail does not name, schedules the next mail for the
// moment the interval is over, not for the reconciler's next tick; later
// signups within it join the same task. The task sends nothing before that
// moment, and one mail naming every list at it; neither a second copy nor
// the reconciler sends another.
func TestHeldSignupSchedulesItsMailAtTheEndOfTheInterval(t *testing.T) {
	e := newDueEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &List{Slug: "arts", Name: "Arts", Public: true}); err != nil {
		t.Fatal(err)
	}
	addr := "follow1@example.org"
	e.sign(addr, "news")
	e.runPending()
	if text, _ := e.takeMail(addr); !strings.Contains(text, "(News)") {
		t.Fatalf("the first mail does not name News alone:\n%s", text)
	}
	var id int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = ?`, addr).Scan(&id); err != nil {
		t.Fatal(err)
	}
	sent := stampOf(t, e.store, id)

	e.sign(addr, "sport")
	e.sign(addr, "sport", "arts")
	e.sign(addr, "arts") // nothing new
	e.runPending()
	if text, _ := e.takeMail(addr); text != "" {
		t.Fatalf("a mail within %v:\n%s", ConfirmInterval, text)
	}
	scheduled := e.tasks("scheduled")
	if len(scheduled) != 1 || scheduled[0].Type != queue.TypeSubscriberConfirmDue {
		t.Fatalf("scheduled tasks %v, want one %s", scheduled, queue.TypeSubscriberConfirmDue)
	}
	due := sent.Add(ConfirmInterval)
	if at := scheduled[0].NextProcessAt; at.Before(due) || at.After(due.Add(time.Second)) {
		t.Errorf("the mail is due at %v, scheduled at %v: want within the second after", due, at)
	}

	e.process(scheduled[0]) // too early: the interval is not over
	e.runPending()
	if text, _ := e.takeMail(addr); text != "" {
		t.Fatalf("a mail before the interval was over:\n%s", text)
	}

	e.ageMail(id) // the interval is over now
	e.process(scheduled[0])
	e.runPending()
	text, token := e.takeMail(addr)
	if !strings.Contains(strings.Join(strings.Fields(text), " "), "(News, Sport, Arts)") { // a line may end after a name
		t.Fatalf("the mail at the end of the interval does not name every list:\n%s", text)
	}
	e.process(scheduled[0]) // a second copy
	if _, err := e.store.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	e.runPending()
	if text, _ := e.takeMail(addr); text != "" {
		t.Errorf("a second mail:\n%s", text)
	}
	got, err := e.click(token)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"arts", "news", "sport"}, got.Lists, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("the new link confirms (-want +got):\n%s", diff)
	}
}

// A signup that comes while the first mail still waits in the queue is
// named in it: nothing is scheduled. Without DueTasks (a process that does
// not handle the task) nothing is scheduled either: the reconciler sends.
func TestHeldSignupSchedulesNothingElse(t *testing.T) {
	t.Run("first mail queued still", func(t *testing.T) {
		e := newDueEnv(t)
		e.sign("queued@example.org", "news")
		e.sign("queued@example.org", "sport")
		if got := e.tasks("scheduled"); len(got) != 0 {
			t.Errorf("scheduled %d tasks, want none", len(got))
		}
		e.runPending()
		if text, _ := e.takeMail("queued@example.org"); !strings.Contains(text, "(News, Sport)") {
			t.Errorf("the mail does not name both lists:\n%s", text)
		}
	})
	t.Run("without DueTasks", func(t *testing.T) {
		e := newDueEnv(t)
		e.signups.Close()
		e.signups = NewSignups(e.store, e.q, nil)
		t.Cleanup(func() { e.signups.Close() })
		e.sign("off@example.org", "news")
		e.runPending()
		e.sign("off@example.org", "sport")
		if got := e.tasks("scheduled"); len(got) != 0 {
			t.Errorf("scheduled %d tasks, want none", len(got))
		}
	})
}
