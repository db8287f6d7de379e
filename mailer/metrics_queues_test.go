package mailer

import (
	"context"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
)

// TestDepthCollectorCountsTasksAfterRedisLostItsData: a Redis that came
// back empty holds the send queue's next task, enqueued by a client that
// named the queue to asynq before the loss and, as asynq's client does,
// not again; /metrics still reports it waiting. It reported no send
// series at all (a tester's /admin/queues said 0 pending with a task
// waiting and no worker to take it).
func TestDepthCollectorCountsTasksAfterRedisLostItsData(t *testing.T) {
	q := queuetest.Embedded(t)
	ctx := context.Background()
	enqueue := func(id string) {
		t.Helper()
		task := asynq.NewTask(tasks.TypeMailSend, []byte(`{}`))
		if _, err := q.Client.EnqueueContext(ctx, task, asynq.Queue(tasks.QueueSend), asynq.TaskID(id)); err != nil {
			t.Fatal(err)
		}
	}
	enqueue("before")
	if err := q.Redis().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	enqueue("after")
	if n, err := q.Redis().LLen(ctx, "asynq:{send}:pending").Result(); err != nil || n != 1 {
		t.Fatalf("send queue holds %d pending (%v), want the 1 enqueued after the loss", n, err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(NewDepthCollector(q.Redis()))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	pending, series := -1.0, 0
	for _, f := range families {
		for _, m := range f.GetMetric() {
			series++
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["queue"] == tasks.QueueSend && labels["state"] == "pending" {
				pending = m.GetGauge().GetValue()
			}
		}
	}
	if pending != 1 {
		t.Errorf(`bulletin_queue_tasks{queue="send",state="pending"} = %v, want 1 (-1: no such series)`, pending)
	}
	if series != 15 {
		t.Errorf("%d series of bulletin_queue_tasks, want 15: five states of three queues", series)
	}
}
