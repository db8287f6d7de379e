package subscribers

import (
	"context"
	"fmt"
)

// ConfirmedOnNoList returns how many confirmed readers are on no list:
// none of their subscriptions is active or pending, as when their only
// list was deleted. They count as confirmed but get no mail, which the
// dashboard says beside its count of confirmed readers. A walk of
// subscribers_status with one look-up of the subscriptions' primary key
// a confirmed reader.
func (s *Store) ConfirmedOnNoList(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscribers s
		WHERE s.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM subscriptions x
			WHERE x.subscriber_id = s.id AND x.status IN ('active', 'pending'))`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count confirmed readers on no list: %w", err)
	}
	return n, nil
}
