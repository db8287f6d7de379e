package queue_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
)

const testUniqueType = "test:unique"

// uniqueOpts are the options of the test task with ID id: what the tasks
// the reconcilers rebuild carry (NewSendTask and the like).
func uniqueOpts(id string, more ...asynq.Option) []asynq.Option {
	return append([]asynq.Option{asynq.Queue(queue.QueueDefault), asynq.TaskID(id)}, more...)
}

// openEmpty opens a queue on url as openQueue does, first emptying the
// real Redis's database when url names one: the subtests of a backend
// share it, and a task one leaves would hold the ID the next one uses.
func openEmpty(t *testing.T, url string) *queue.Queue {
	t.Helper()
	if url != "" {
		url = queuetest.RedisURL(t, queuetest.DBQueue)
	}
	return openQueue(t, url)
}

// startServer runs handler for testUniqueType on q's default queue until
// the test ends or the caller shuts it down.
func startServer(t *testing.T, q *queue.Queue, handler asynq.HandlerFunc, retryDelay time.Duration) *asynq.Server {
	t.Helper()
	mux := asynq.NewServeMux()
	mux.HandleFunc(testUniqueType, handler)
	cfg := queue.ServerConfig(map[string]int{queue.QueueDefault: 1}, 2, quietLog())
	if retryDelay > 0 {
		cfg.RetryDelayFunc = func(int, error, *asynq.Task) time.Duration { return retryDelay }
	}
	srv := asynq.NewServerFromRedisClient(q.Redis(), cfg)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}

// waitState waits until the task with ID id is in state want.
func waitState(t *testing.T, insp *asynq.Inspector, id string, want asynq.TaskState) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := insp.GetTaskInfo(queue.QueueDefault, id)
		if err == nil && info.State == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s: GetTaskInfo = %+v, %v after 10 s, want state %v", id, info, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// receive waits for the next payload a handler sends on ran.
func receive(t *testing.T, ran <-chan string) string {
	t.Helper()
	select {
	case p := <-ran:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no task ran within 10 s")
		return ""
	}
}

// A task that failed its last retry (archived) or succeeded and is kept
// (Retention, completed) still holds its ID in Redis. A re-queue of the
// same work, which SQLite says is still owed, must replace it with the new
// payload and run it, not count the conflict as "already queued".
func TestEnqueueUniqueRequeuesFinishedTask(t *testing.T) {
	for name, url := range backends(t) {
		for _, tc := range []struct {
			name  string
			fail  bool
			state asynq.TaskState
		}{
			{"archived", true, asynq.TaskStateArchived},
			{"completed", false, asynq.TaskStateCompleted},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				q := openEmpty(t, url)
				insp := asynq.NewInspectorFromRedisClient(q.Redis())
				ctx := context.Background()
				const id = "send:1:1"
				opts := uniqueOpts(id, asynq.MaxRetry(0), asynq.Retention(time.Hour))
				ran := make(chan string, 10)
				handler := func(ctx context.Context, task *asynq.Task) error {
					ran <- string(task.Payload())
					if tc.fail && string(task.Payload()) == "first" {
						return errors.New("relay down")
					}
					return nil
				}

				if err := queue.EnqueueUnique(ctx, q, asynq.NewTask(testUniqueType, []byte("first")), opts...); err != nil {
					t.Fatal(err)
				}
				srv := startServer(t, q, handler, 0)
				if p := receive(t, ran); p != "first" {
					t.Fatalf("ran %q, want first", p)
				}
				waitState(t, insp, id, tc.state)
				srv.Shutdown()

				if err := queue.EnqueueUnique(ctx, q, asynq.NewTask(testUniqueType, []byte("second")), opts...); err != nil {
					t.Fatalf("EnqueueUnique over a %s task: %v", tc.name, err)
				}
				info, err := insp.GetTaskInfo(queue.QueueDefault, id)
				if err != nil {
					t.Fatal(err)
				}
				if info.State != asynq.TaskStatePending || string(info.Payload) != "second" {
					t.Fatalf("after EnqueueUnique the task is %v with payload %q, want pending with second", info.State, info.Payload)
				}
				startServer(t, q, handler, 0)
				if p := receive(t, ran); p != "second" {
					t.Fatalf("ran %q, want second", p)
				}
			})
		}
	}
}

// A confirmation task carries its ID among the options of asynq.NewTask,
// where asynq keeps them unexported: EnqueueUnique still finds the ID, and
// replaces the archived task.
func TestEnqueueUniqueRequeuesArchivedConfirmTask(t *testing.T) {
	for name, url := range backends(t) {
		t.Run(name, func(t *testing.T) {
			q := openEmpty(t, url)
			insp := asynq.NewInspectorFromRedisClient(q.Redis())
			ctx := context.Background()
			items := []queue.ConfirmItem{{ID: 7, SentAt: 1700000000000000}}
			enqueue := func() {
				t.Helper()
				task, err := queue.NewConfirmTask(items)
				if err != nil {
					t.Fatal(err)
				}
				if err := queue.EnqueueUnique(ctx, q, task); err != nil {
					t.Fatalf("EnqueueUnique: %v", err)
				}
			}
			enqueue()
			pending, err := insp.ListPendingTasks(queue.QueueDefault)
			if err != nil || len(pending) != 1 {
				t.Fatalf("ListPendingTasks = %d tasks, %v; want 1", len(pending), err)
			}
			id := pending[0].ID
			if err := insp.ArchiveTask(queue.QueueDefault, id); err != nil {
				t.Fatal(err)
			}

			enqueue()
			info, err := insp.GetTaskInfo(queue.QueueDefault, id)
			if err != nil {
				t.Fatal(err)
			}
			if info.State != asynq.TaskStatePending {
				t.Fatalf("after EnqueueUnique the confirmation task is %v, want pending", info.State)
			}
			if archived, err := insp.ListArchivedTasks(queue.QueueDefault); err != nil || len(archived) != 0 {
				t.Errorf("ListArchivedTasks = %d tasks, %v; want none", len(archived), err)
			}
		})
	}
}

// Callers that re-queue the same archived task at once (the reconciler and
// a fan-out, say) each delete what they find finished and enqueue, and may
// delete one another's fresh copy: all of them succeed, and what is left
// is one pending task.
func TestEnqueueUniqueRequeuesArchivedTaskConcurrently(t *testing.T) {
	for name, url := range backends(t) {
		t.Run(name, func(t *testing.T) {
			q := openEmpty(t, url)
			insp := asynq.NewInspectorFromRedisClient(q.Redis())
			ctx := t.Context()
			if err := queue.EnqueueUnique(ctx, q, asynq.NewTask(testUniqueType, []byte("old")), uniqueOpts("w")...); err != nil {
				t.Fatal(err)
			}
			if err := insp.ArchiveTask(queue.QueueDefault, "w"); err != nil {
				t.Fatal(err)
			}
			const callers = 4
			errs := make(chan error, callers)
			for i := range callers {
				go func() {
					task := asynq.NewTask(testUniqueType, []byte(strconv.Itoa(i)))
					errs <- queue.EnqueueUnique(ctx, q, task, uniqueOpts("w")...)
				}()
			}
			for range callers {
				if err := <-errs; err != nil {
					t.Errorf("EnqueueUnique: %v", err)
				}
			}
			info, err := insp.GetTaskInfo(queue.QueueDefault, "w")
			if err != nil || info.State != asynq.TaskStatePending || string(info.Payload) == "old" {
				t.Fatalf("GetTaskInfo = %+v, %v; want a new task, pending", info, err)
			}
			if pending, err := insp.ListPendingTasks(queue.QueueDefault); err != nil || len(pending) != 1 {
				t.Errorf("ListPendingTasks = %d tasks, %v; want 1", len(pending), err)
			}
		})
	}
}

// A task with the ID that is still to run, or running, is the work already
// queued: EnqueueUnique neither replaces it nor adds a second copy.
func TestEnqueueUniqueLeavesWaitingTaskAlone(t *testing.T) {
	for name, url := range backends(t) {
		t.Run(name+"/pending", func(t *testing.T) {
			q := openEmpty(t, url)
			insp := asynq.NewInspectorFromRedisClient(q.Redis())
			for _, p := range []string{"first", "second"} {
				if err := queue.EnqueueUnique(t.Context(), q, asynq.NewTask(testUniqueType, []byte(p)), uniqueOpts("w")...); err != nil {
					t.Fatal(err)
				}
			}
			tasks, err := insp.ListPendingTasks(queue.QueueDefault)
			if err != nil || len(tasks) != 1 || string(tasks[0].Payload) != "first" {
				t.Fatalf("ListPendingTasks = %v, %v; want the first task alone", tasks, err)
			}
		})

		t.Run(name+"/scheduled", func(t *testing.T) {
			q := openEmpty(t, url)
			insp := asynq.NewInspectorFromRedisClient(q.Redis())
			for _, p := range []string{"first", "second"} {
				err := queue.EnqueueUnique(t.Context(), q, asynq.NewTask(testUniqueType, []byte(p)), uniqueOpts("w", asynq.ProcessIn(time.Hour))...)
				if err != nil {
					t.Fatal(err)
				}
			}
			tasks, err := insp.ListScheduledTasks(queue.QueueDefault)
			if err != nil || len(tasks) != 1 || string(tasks[0].Payload) != "first" {
				t.Fatalf("ListScheduledTasks = %v, %v; want the first task alone", tasks, err)
			}
			if pending, _ := insp.ListPendingTasks(queue.QueueDefault); len(pending) != 0 {
				t.Errorf("%d tasks pending, want none", len(pending))
			}
		})

		t.Run(name+"/retry", func(t *testing.T) {
			q := openEmpty(t, url)
			insp := asynq.NewInspectorFromRedisClient(q.Redis())
			ctx := t.Context()
			opts := uniqueOpts("w", asynq.MaxRetry(5))
			if err := queue.EnqueueUnique(ctx, q, asynq.NewTask(testUniqueType, []byte("first")), opts...); err != nil {
				t.Fatal(err)
			}
			srv := startServer(t, q, func(context.Context, *asynq.Task) error { return errors.New("relay down") }, time.Hour)
			waitState(t, insp, "w", asynq.TaskStateRetry)
			srv.Shutdown()
			if err := queue.EnqueueUnique(ctx, q, asynq.NewTask(testUniqueType, []byte("second")), opts...); err != nil {
				t.Fatal(err)
			}
			info, err := insp.GetTaskInfo(queue.QueueDefault, "w")
			if err != nil || info.State != asynq.TaskStateRetry || string(info.Payload) != "first" {
				t.Fatalf("GetTaskInfo = %+v, %v; want the first task, waiting to retry", info, err)
			}
		})

		t.Run(name+"/active", func(t *testing.T) {
			q := openEmpty(t, url)
			insp := asynq.NewInspectorFromRedisClient(q.Redis())
			ctx := t.Context()
			if err := queue.EnqueueUnique(ctx, q, asynq.NewTask(testUniqueType, []byte("first")), uniqueOpts("w")...); err != nil {
				t.Fatal(err)
			}
			ran, release := make(chan string, 10), make(chan struct{})
			startServer(t, q, func(ctx context.Context, task *asynq.Task) error {
				ran <- string(task.Payload())
				<-release
				return nil
			}, 0)
			if p := receive(t, ran); p != "first" {
				t.Fatalf("ran %q, want first", p)
			}
			waitState(t, insp, "w", asynq.TaskStateActive)
			err := queue.EnqueueUnique(ctx, q, asynq.NewTask(testUniqueType, []byte("second")), uniqueOpts("w")...)
			close(release)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case p := <-ran:
				t.Errorf("task %q ran while the first was running", p)
			case <-time.After(500 * time.Millisecond):
			}
		})
	}
}

// conflictQueue refuses every task as asynq refuses a taken ID.
type conflictQueue struct{}

func (conflictQueue) EnqueueContext(context.Context, *asynq.Task, ...asynq.Option) (*asynq.TaskInfo, error) {
	return nil, asynq.ErrTaskIDConflict
}

// An Enqueuer that is not a client of Open (a test's fake) cannot be looked
// through: a conflict on it counts as the task being queued.
func TestEnqueueUniqueConflictOnOtherEnqueuer(t *testing.T) {
	task := asynq.NewTask(testUniqueType, nil)
	if err := queue.EnqueueUnique(t.Context(), conflictQueue{}, task, uniqueOpts("w")...); err != nil {
		t.Errorf("EnqueueUnique = %v, want nil", err)
	}
}
