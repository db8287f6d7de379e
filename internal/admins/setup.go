package admins

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// The answers of first-run setup that a form shows as they are.
var (
	// ErrSetupDone means an admin exists: setup is over.
	ErrSetupDone = bulletin.Errorf(bulletin.ECONFLICT, "Bulletin is set up already: log in instead.")
	// ErrSetupCode is a wrong setup code; it counts like a wrong password.
	ErrSetupCode = bulletin.Errorf(bulletin.EFORBIDDEN,
		"That setup code is not right. Copy it from the log of bulletin serve, where it was printed at start-up.")
)

// HasAdmin reports whether any admin exists; until one does, the admin
// area opens on first-run setup.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM admins LIMIT 1)`).Scan(&n); err != nil {
		return false, fmt.Errorf("count admins: %w", err)
	}
	return n > 0, nil
}

// ValidateNewAdmin checks an admin's email and password by the rules of
// SetAdmin, naming each bad field ("email", "password") in a validation
// error, so that a form can show them beside its other fields.
func ValidateNewAdmin(email, password string) error {
	fields := map[string]string{}
	if _, err := validEmail(email); err != nil {
		fields["email"] = bulletin.ErrorMessage(err)
	}
	if err := validPassword(password); err != nil {
		fields["password"] = bulletin.ErrorMessage(err)
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// CreateFirstAdmin creates the admin of first-run setup and starts their
// session, whose secret it returns for the cookie. It does so only while
// no admin exists, checked in the same transaction, so two setups racing
// make one admin and the other gets ErrSetupDone.
func (s *Store) CreateFirstAdmin(ctx context.Context, email, password string) (secret string, sess *Session, err error) {
	if err := ValidateNewAdmin(email, password); err != nil {
		return "", nil, err
	}
	email, _ = validEmail(email)
	hash, err := s.hash(password)
	if err != nil {
		return "", nil, fmt.Errorf("hash password: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM admins`).Scan(&n); err != nil {
			return fmt.Errorf("count admins: %w", err)
		} else if n > 0 {
			return ErrSetupDone
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO admins (email, password_hash, created_at) VALUES (?, ?, ?)`,
			email, string(hash), sqlite.Now())
		if err != nil {
			return fmt.Errorf("create admin: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		secret, sess, err = startSession(ctx, tx, id, email)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// TrySetupCode counts a setup code typed from addr under the login
// lockout: right says whether it matched (compared by the caller, which
// holds the code). A wrong code counts as a wrong password and gets
// ErrSetupCode; a locked-out address gets ErrLocked, even with the right
// code.
func (s *Store) TrySetupCode(ctx context.Context, addr string, right bool) error {
	isWrong := func(err error) bool { return errors.Is(err, ErrSetupCode) }
	return s.attempt(ctx, addr, isWrong, func() error {
		if !right {
			return ErrSetupCode
		}
		return nil
	})
}
