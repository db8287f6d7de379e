package admins

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Login limits: this many wrong passwords in a row from one address lock
// that address out for LockoutPeriod.
const (
	MaxFailures   = 10
	LockoutPeriod = 15 * time.Minute
	SessionTTL    = 7 * 24 * time.Hour
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

// dummyHash is compared when the email is unknown, so both cases take a
// bcrypt's time.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("bulletin dummy password"), bcrypt.DefaultCost)

// Login checks email and password for a login from addr and, when they
// match, starts a session. It returns the session's secret for the cookie.
func (s *Store) Login(ctx context.Context, addr, email, password string) (string, *Session, error) {
	if locked, err := s.locked(ctx, addr); err != nil {
		return "", nil, err
	} else if locked {
		return "", nil, ErrLocked
	}
	var id int64
	var hash string
	err := s.db.Read.QueryRowContext(ctx, `SELECT id, password_hash FROM admins WHERE email = ?`,
		strings.TrimSpace(email)).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		hash = string(dummyHash)
	} else if err != nil {
		return "", nil, fmt.Errorf("find admin: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || id == 0 {
		if err := s.recordFailure(ctx, addr); err != nil {
			return "", nil, err
		}
		return "", nil, errBadLogin
	}
	secret := randomString(32)
	sess := &Session{AdminID: id, Email: strings.TrimSpace(email), CSRF: randomString(24), Expires: sqlite.Now().Add(SessionTTL)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE addr = ?`, addr); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, sqlite.Now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, admin_id, csrf, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, hashToken(secret), id, sess.CSRF, sqlite.Now(), sess.Expires)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return secret, sess, nil
}

func (s *Store) locked(ctx context.Context, addr string) (bool, error) {
	var until sql.NullTime
	err := s.db.Read.QueryRowContext(ctx, `SELECT locked_until FROM login_failures WHERE addr = ?`, addr).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("check lockout: %w", err)
	}
	return until.Valid && until.Time.After(time.Now()), nil
}

// recordFailure counts a wrong password from addr, locking it at the limit.
// A lock that ran out starts the count again.
func (s *Store) recordFailure(ctx context.Context, addr string) error {
	now := sqlite.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO login_failures (addr, failures) VALUES (?, 1)
			ON CONFLICT (addr) DO UPDATE SET
				failures = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1 ELSE failures + 1 END,
				locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN NULL ELSE locked_until END`,
			addr, now, now)
		if err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE login_failures SET locked_until = ? WHERE addr = ? AND failures >= ?`,
			now.Add(LockoutPeriod), addr, MaxFailures)
		return err
	})
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
