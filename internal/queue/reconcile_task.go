package queue

import "github.com/hibiken/asynq"

// TypeReconcile is the periodic task that runs the reconcilers, so work
// lost while serve runs (an enqueue that failed) is found without a restart.
const TypeReconcile = "queue:reconcile"

// NewReconcileTask returns a reconcile task.
func NewReconcileTask() *asynq.Task {
	return asynq.NewTask(TypeReconcile, nil, asynq.MaxRetry(0), asynq.Queue(QueueDefault))
}
