package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Erased reports whether email was erased at its owner's request, as
// refuseErased finds it: the seeds skip such an address rather than bring
// its owner back. The hash is keyed (SetSecret): a store keyed otherwise
// than the one that erased finds nothing.
func (s *Store) Erased(ctx context.Context, email string) (bool, error) {
	var one int
	err := s.db.Read.QueryRowContext(ctx, `SELECT 1 FROM erasures WHERE email_hash = ?`, s.EmailHash(email)).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("erased: %w", err)
	}
	return true, nil
}
