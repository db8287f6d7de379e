// Package admins keeps the people and programs allowed into the admin area:
// editors with bcrypt-hashed passwords and their sessions, and API tokens,
// stored only as hashes.
package admins

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A Store keeps admins, sessions and API tokens.
type Store struct {
	db *sqlite.DB

	// Cost is bcrypt's work factor for the password hashes this store
	// makes, and for the hash an unknown email is checked against; 0 is
	// bcrypt.DefaultCost. Only tests set it, to bcrypt.MinCost: under the
	// race detector one hash at the default cost takes over a second, and
	// most tests log an editor in.
	Cost int

	// beforePasswordWrite, when set, runs in ChangePassword after the
	// current password was checked and before the new one is written. Only
	// tests set it, to commit a reset in that gap on every run rather than
	// when a slow hash and a sleep happen to line up.
	beforePasswordWrite func()

	// afterPasswordCheck, when set, runs in Login after the password was
	// found right against the hash read and before the session is written.
	// Only tests set it, to commit a reset or a password change in that gap
	// on every run rather than when a slow hash and a sleep happen to line
	// up.
	afterPasswordCheck func()

	// Log takes what the store fails to write and goes on without (a
	// token's last use); nil is slog's default logger.
	Log *slog.Logger

	// useFailedAt is when writing a token's last use last failed, in Unix
	// nanoseconds (0: never). For TokenUseInterval after it no use is
	// written, nor the failure logged again: a full disk failed every API
	// request, and must not cost each one a write and a log line instead.
	useFailedAt atomic.Int64

	dummyOnce sync.Once
	dummy     []byte
}

// NewStore returns a Store on db.
func NewStore(db *sqlite.DB) *Store { return &Store{db: db} }

// hash is bcrypt's hash of password at the store's cost.
func (s *Store) hash(password string) ([]byte, error) {
	cost := s.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	return bcrypt.GenerateFromPassword([]byte(password), cost)
}

// dummyHash is compared when the email is unknown, so that both cases take
// one bcrypt's time at the cost real hashes have.
func (s *Store) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		s.dummy, _ = s.hash("bulletin dummy password")
	})
	return s.dummy
}

// MinPasswordLen is the shortest password an admin may choose.
const MinPasswordLen = 10

// SetAdmin creates the admin with this email, or changes the password of
// the one that exists. It reports whether it created one.
func (s *Store) SetAdmin(ctx context.Context, email, password string) (bool, error) {
	email, err := validEmail(email)
	if err != nil {
		return false, err
	}
	if err := validPassword(password); err != nil {
		return false, err
	}
	hash, err := s.hash(password)
	if err != nil {
		return false, fmt.Errorf("hash password: %w", err)
	}
	var created bool
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE admins SET password_hash = ? WHERE email = ?`, string(hash), email)
		if err != nil {
			return fmt.Errorf("update admin: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		created = true
		_, err = tx.ExecContext(ctx, `INSERT INTO admins (email, password_hash, created_at) VALUES (?, ?, ?)`,
			email, string(hash), sqlite.Now())
		if err != nil {
			return fmt.Errorf("create admin: %w", err)
		}
		return nil
	})
	return created, err
}

// CreateToken stores a new API token under name and returns the secret,
// which is shown once: only its SHA-256 is kept.
func (s *Store) CreateToken(ctx context.Context, name string) (string, error) {
	// A name is one line of the token lists (the admin page's and
	// "bulletin token list"): a line break or a terminal's escape sequence
	// would garble what they show, also at its ends.
	if !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		return "", bulletin.Errorf(bulletin.EINVALID, "Give the token a name of one line, without control characters (line breaks, tabs, escapes).")
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", bulletin.Errorf(bulletin.EINVALID, "Give the token a name of 1–100 characters.")
	}
	secret := "bt_" + randomString(32)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := nameFree(ctx, tx, name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (name, token_hash, secret_start, created_at) VALUES (?, ?, ?, ?)`,
			name, hashToken(secret), secret[:startLen], sqlite.Now())
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		return nil
	})
	return secret, err
}

// nameFree refuses name when a token has it already, in any case: the
// lists show tokens by name, and two called "website" could not be told
// apart when one must be revoked. A revoked token is deleted, so every
// stored one is live. The check runs in the write transaction, which
// SQLite runs one at a time (also across processes: "_txlock=immediate"),
// so a second create of the name cannot slip in beside it. The compare is
// Go's Unicode case folding, not SQLite's NOCASE, which folds ASCII only.
func nameFree(ctx context.Context, tx *sql.Tx, name string) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM api_tokens`)
	if err != nil {
		return fmt.Errorf("check token name: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var have string
		if err := rows.Scan(&have); err != nil {
			return fmt.Errorf("check token name: %w", err)
		}
		if strings.EqualFold(have, name) {
			return bulletin.Errorf(bulletin.EINVALID, "A token is named “%s” already: give this one another name, so the two can be told apart (or revoke the old one first).", have)
		}
	}
	return rows.Err()
}

// TokenUseInterval is how often a token's last use is written at most:
// the list shows when a token was last used to the minute, and an API
// client's every request must not take the database's writer.
const TokenUseInterval = time.Minute

// CheckToken reports whether secret is a stored API token and records its
// use. The lookup is by hash, so no comparison of the secret itself can
// leak timing. The use is bookkeeping: when it cannot be written (a full
// disk) the token still checks, and the failure is logged (see
// recordUse).
func (s *Store) CheckToken(ctx context.Context, secret string) (bool, error) {
	if !strings.HasPrefix(secret, "bt_") || len(secret) > 200 {
		return false, nil
	}
	var id int64
	var used sql.NullTime
	err := s.db.Read.QueryRowContext(ctx, `SELECT id, last_used_at FROM api_tokens WHERE token_hash = ?`,
		hashToken(secret)).Scan(&id, &used)
	if err == sql.ErrNoRows {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("check token: %w", err)
	}
	now := sqlite.Now()
	if used.Valid && now.Sub(used.Time) < TokenUseInterval {
		return true, nil
	}
	s.recordUse(ctx, id, now)
	return true, nil
}

// recordUse writes now as token id's last use, unless a write of a use
// failed within TokenUseInterval. A failure is logged, once for each
// interval however many requests race into it, and the request goes on.
func (s *Store) recordUse(ctx context.Context, id int64, now time.Time) {
	failed := s.useFailedAt.Load()
	if failed != 0 && time.Since(time.Unix(0, failed)) < TokenUseInterval {
		return
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ?
			WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, now, id, now.Add(-TokenUseInterval))
		return err
	})
	if err == nil || ctx.Err() != nil { // a client gone is no fault of the database
		return
	}
	if !s.useFailedAt.CompareAndSwap(failed, time.Now().UnixNano()) {
		return // another request's failure is logged
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log.Warn("cannot record API token use; requests go on, and it is not tried again for a minute", "token", id, "err", err)
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// randomString returns n random bytes, URL-safe base64 encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
