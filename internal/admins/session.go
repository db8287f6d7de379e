package admins

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Login limits: this many wrong passwords in a row from one address lock
// that address out for LockoutPeriod. An IPv6 address counts by its /64,
// and a count with no new failure for LockoutPeriod is forgotten.
const (
	MaxFailures   = 10
	LockoutPeriod = 15 * time.Minute
	SessionTTL    = 7 * 24 * time.Hour
)

// MaxAccountFailures wrong passwords for one email, from any addresses,
// lock that email out for LockoutPeriod too, as one address is locked out
// after MaxFailures: a guesser with many addresses (or a proxy trusted to
// name them) gets no more than that many tries at an account in a
// LockoutPeriod. The lock is the same for an email that names no admin,
// so it tells nothing. It does not lock out the admin's own addresses:
// one from which the account logged in in the last KnownAddressTTL is
// spared it (still under its own MaxFailures), so a stranger's guesses
// can make the admin's login wait only on an address they never used.
const (
	MaxAccountFailures = 20
	KnownAddressTTL    = 30 * 24 * time.Hour
)

// A Session is a logged-in admin.
type Session struct {
	AdminID int64
	Email   string
	CSRF    string // the token every state-changing form must carry
	Expires time.Time
}

// ErrLocked means too many wrong passwords came from the address.
var ErrLocked = bulletin.Errorf(bulletin.ERATELIMITED, "Too many wrong passwords. Try again in 15 minutes.")

// errBadLogin is the same for a wrong password and an unknown email, so the
// form does not tell which addresses are admins.
var errBadLogin = bulletin.Errorf(bulletin.EUNAUTHORIZED, "Wrong email or password.")

// A LoginError is Login's answer to a wrong email or password. Its message
// is errBadLogin's; its fields are for the operator's log, which may say
// what the form must not.
type LoginError struct {
	// AdminID is the admin the email named, 0 when it named none.
	AdminID int64
	// Locked is whether the address is locked out now, this failure
	// having been its last allowed.
	Locked bool
}

func (e *LoginError) Error() string { return errBadLogin.Error() }

// Unwrap gives errBadLogin, so the error has its code and message.
func (e *LoginError) Unwrap() error { return errBadLogin }

// Login checks email and password for a login from addr and, when they
// match, starts a session. It returns the session's secret for the cookie.
// A locked-out address gets ErrLocked before any password is looked at.
func (s *Store) Login(ctx context.Context, addr, email, password string) (string, *Session, error) {
	key := lockoutKey(addr)
	if err := s.claimAttempt(ctx, key); err != nil {
		return "", nil, err
	}
	account, err := s.claimAccount(ctx, key, email)
	if err != nil {
		s.uncount(ctx, key)
		return "", nil, err
	}
	var id int64
	var hash string
	err = s.db.Read.QueryRowContext(ctx, `SELECT id, password_hash FROM admins WHERE email = ?`,
		strings.TrimSpace(email)).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		hash = string(s.dummyHash())
	} else if err != nil {
		return "", nil, fmt.Errorf("find admin: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || id == 0 {
		return "", nil, s.badLogin(ctx, key, account, id)
	}
	if s.afterPasswordCheck != nil {
		s.afterPasswordCheck()
	}
	secret := randomString(32)
	sess := &Session{AdminID: id, Email: strings.TrimSpace(email), CSRF: randomString(24), Expires: sqlite.Now().Add(SessionTTL)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The session is made only while the hash checked above is still
		// the admin's. A reset or a password change that committed during
		// the bcrypt has ended the admin's sessions already, and a session
		// made after it with the old password would outlive it.
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, admin_id, csrf, created_at, expires_at)
			SELECT ?, id, ?, ?, ? FROM admins WHERE id = ? AND password_hash = ?`,
			hashToken(secret), sess.CSRF, sqlite.Now(), sess.Expires, id, hash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errBadLogin
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE addr = ?`, key); err != nil {
			return err
		}
		if err := knowAddress(ctx, tx, key, email, account); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, sqlite.Now())
		return err
	})
	if errors.Is(err, errBadLogin) {
		// The password was right until a moment ago: it gets the answer of
		// a wrong one, and counts as one.
		return "", nil, s.badLogin(ctx, key, account, id)
	} else if err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return secret, sess, nil
}

// lockoutKey is what a login from addr counts against: an IPv4 address,
// or the /64 of an IPv6 one, since one host usually holds a whole /64.
func lockoutKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

// claimAttempt answers ErrLocked when key is locked out and otherwise
// counts this attempt as a failure until it proves right. The count and
// the check are one write, so parallel guesses cannot all pass the check
// before any of them is counted: at most MaxFailures passwords from key
// are checked in a lockout period. A locked-out key is answered from a
// read first, so a flood of them costs neither bcrypt nor the writer.
// The claim also deletes the rows of addresses that stopped a lockout
// period ago, which keeps the table small.
func (s *Store) claimAttempt(ctx context.Context, key string) error {
	now := sqlite.Now()
	locked, err := lockedOut(ctx, s.db.Read, key, now)
	if err != nil {
		return err
	} else if locked {
		return ErrLocked
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures
			WHERE (last_failure_at IS NULL OR last_failure_at < ?) AND (locked_until IS NULL OR locked_until <= ?)`,
			now.Add(-LockoutPeriod), now)
		if err != nil {
			return fmt.Errorf("expire login failures: %w", err)
		}
		if locked, err = lockedOut(ctx, tx, key, now); err != nil || locked {
			return err
		}
		// A lock that ran out starts the count again.
		_, err = tx.ExecContext(ctx, `INSERT INTO login_failures (addr, failures, last_failure_at) VALUES (?, 1, ?)
			ON CONFLICT (addr) DO UPDATE SET
				failures = CASE WHEN locked_until IS NULL THEN failures + 1 ELSE 1 END,
				locked_until = NULL, last_failure_at = excluded.last_failure_at`, key, now)
		if err != nil {
			return fmt.Errorf("count login attempt: %w", err)
		}
		return nil
	})
	if err == nil && locked {
		return ErrLocked
	}
	return err
}

// lockedOut reports whether key is locked at now: by a lock, or by
// MaxFailures attempts counted and not yet known to be wrong.
func lockedOut(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key string, now time.Time) (bool, error) {
	var failures int
	var until sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT failures, locked_until FROM login_failures WHERE addr = ?`, key).Scan(&failures, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("check lockout: %w", err)
	}
	if until.Valid {
		return until.Time.After(now), nil
	}
	return failures >= maxFailuresOf(key), nil
}

// badLogin records a wrong login from key and answers it with a
// LoginError: adminID is the admin its email named, or 0.
// account is the email's key (accountKey), "" when the address is one
// of the account's own (claimAccount), whose failures it does not count.
func (s *Store) badLogin(ctx context.Context, key, account string, adminID int64) error {
	locked, err := s.recordFailure(ctx, key)
	if err != nil {
		return err
	}
	if account != "" {
		if _, err := s.recordFailure(ctx, account); err != nil {
			return err
		}
	}
	return &LoginError{AdminID: adminID, Locked: locked}
}

// recordFailure confirms a wrong password from key, whose attempt
// claimAttempt counted already, and locks key out at the limit. It
// reports whether key is locked out now.
func (s *Store) recordFailure(ctx context.Context, key string) (bool, error) {
	now := sqlite.Now()
	var locked bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE login_failures SET last_failure_at = ?,
				locked_until = CASE WHEN failures >= ? THEN ? ELSE locked_until END
			WHERE addr = ?`, now, maxFailuresOf(key), now.Add(LockoutPeriod), key)
		if err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		locked, err = lockedOut(ctx, tx, key, now)
		return err
	})
	return locked, err
}

// Session returns the live session whose secret is in the cookie.
func (s *Store) Session(ctx context.Context, secret string) (*Session, error) {
	if secret == "" || len(secret) > 100 {
		return nil, errBadLogin
	}
	var sess Session
	err := s.db.Read.QueryRowContext(ctx, `SELECT s.admin_id, a.email, s.csrf, s.expires_at
		FROM sessions s JOIN admins a ON a.id = s.admin_id WHERE s.token_hash = ? AND s.expires_at > ?`,
		hashToken(secret), sqlite.Now()).Scan(&sess.AdminID, &sess.Email, &sess.CSRF, &sess.Expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadLogin
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	return &sess, nil
}

// Logout ends the session with this secret.
func (s *Store) Logout(ctx context.Context, secret string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(secret))
		return err
	})
}

// ValidCSRF reports whether token is the session's CSRF token, compared in
// constant time.
func (sess *Session) ValidCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) == 1
}
