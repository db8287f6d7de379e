package admins

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// The rows of login_failures that are not an address's: an email's
// count of wrong passwords (accountKey), and an address an account
// logged in from (knownKey), which no address key can spell (lockoutKey
// gives an IP address or a /64).
const (
	accountPrefix = "account "
	knownPrefix   = "known "
)

// accountKey is what a login for email counts against, whether or not it
// names an admin.
func accountKey(email string) string {
	return accountPrefix + strings.ToLower(strings.TrimSpace(email))
}

// knownKey marks addrKey (a lockoutKey) as one the account of email
// logged in from. Its row's locked_until is when it is forgotten, which
// keeps it through claimAttempt's clean-up until then; lockedOut never
// reads it.
func knownKey(addrKey, email string) string {
	return knownPrefix + addrKey + " " + accountKey(email)
}

// maxFailuresOf is the number of wrong passwords that locks key out.
func maxFailuresOf(key string) int {
	if strings.HasPrefix(key, accountPrefix) {
		return MaxAccountFailures
	}
	return MaxFailures
}

// claimAccount is claimAttempt for the account email names, from the
// address addrKey: ErrLocked when the account is locked out and addrKey
// is not one it logged in from, else the attempt is counted against it.
// It returns the account's key, or "" when addrKey is known to the
// account and nothing was counted.
func (s *Store) claimAccount(ctx context.Context, addrKey, email string) (string, error) {
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE addr = ? AND locked_until > ?`,
		knownKey(addrKey, email), sqlite.Now()).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("check lockout: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	key := accountKey(email)
	return key, s.claimAttempt(ctx, key)
}

// knowAddress records, in a login's transaction, that the account of
// email logged in from addrKey, and takes back the try claimAccount
// counted against the account (account, "" when it counted none).
func knowAddress(ctx context.Context, tx *sql.Tx, addrKey, email, account string) error {
	now := sqlite.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (addr, failures, last_failure_at, locked_until)
		VALUES (?, 0, NULL, ?) ON CONFLICT (addr) DO UPDATE SET locked_until = excluded.locked_until`,
		knownKey(addrKey, email), now.Add(KnownAddressTTL)); err != nil {
		return fmt.Errorf("record login address: %w", err)
	}
	return uncountTx(ctx, tx, account)
}

// uncount takes back the try claimAttempt counted against key, for an
// attempt that was not a wrong password. Failing to is logged by no one:
// the count then holds one try too many for LockoutPeriod at most.
func (s *Store) uncount(ctx context.Context, key string) {
	_ = s.db.Tx(ctx, func(tx *sql.Tx) error { return uncountTx(ctx, tx, key) })
}

func uncountTx(ctx context.Context, tx *sql.Tx, key string) error {
	if key == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE login_failures SET failures = failures - 1
		WHERE addr = ? AND failures > 0 AND locked_until IS NULL`, key)
	return err
}
