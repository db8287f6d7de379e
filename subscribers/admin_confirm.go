package subscribers

import (
	"context"
	"fmt"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// QueueConfirm sends pending subscriber id the confirmation mail a signup
// gets: it flags the row, so that the reconciler mails it should the task
// be lost, then puts the task on c (when c is not nil). A subscriber who
// is not pending gets nothing.
func (s *Store) QueueConfirm(ctx context.Context, id int64, c queue.Enqueuer) error {
	now := sqlite.Now()
	res, err := s.db.Write.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 1, confirm_sent_at = ?
		WHERE id = ? AND status = 'pending'`, now, id)
	if err != nil {
		return fmt.Errorf("flag confirmation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 || c == nil {
		return nil
	}
	task, err := queue.NewConfirmTask([]queue.ConfirmItem{{ID: id, SentAt: now.UnixMicro()}})
	if err != nil {
		return err
	}
	return queue.EnqueueUnique(ctx, c, task)
}
