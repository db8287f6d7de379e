package admins

import (
	"context"
	"database/sql"
	"fmt"
)

// attempt runs check as one try from addr under the login lockout, for the
// forms other than login that a guesser could use: invite links and the
// current password. A locked-out address gets ErrLocked before check runs.
// A check whose error isGuess says is a wrong guess counts as a wrong
// password; any other outcome takes back the try claimAttempt counted, so
// a right answer never adds to an address's count (nor clears it).
func (s *Store) attempt(ctx context.Context, addr string, isGuess func(error) bool, check func() error) error {
	key := lockoutKey(addr)
	if err := s.claimAttempt(ctx, key); err != nil {
		return err
	}
	err := check()
	if err != nil && isGuess(err) {
		if _, ferr := s.recordFailure(ctx, key); ferr != nil {
			return ferr
		}
		return err
	}
	uerr := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE login_failures SET failures = failures - 1
			WHERE addr = ? AND failures > 0 AND locked_until IS NULL`, key)
		return err
	})
	if uerr != nil && err == nil {
		return fmt.Errorf("uncount attempt: %w", uerr)
	}
	return err
}
