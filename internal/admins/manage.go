package admins

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// An Admin is a person who may log in to the admin area.
type Admin struct {
	ID        int64
	Email     string
	CreatedAt time.Time
	Sessions  int // live sessions
}

// A Token is an API token as listed: never its secret, which only its
// holder has.
type Token struct {
	ID   int64
	Name string
	// Start is the secret's first characters (startLen), to tell which
	// token a secret found somewhere is; "" for a token made before they
	// were kept.
	Start      string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never recorded
}

// startLen is how much of a secret the lists show (Token.Start): "bt_"
// and six characters of its random part, 36 of its 256 bits.
const startLen = len("bt_") + 6

// ResetAdmin creates the admin with this email or, when it exists, sets its
// password and ends every session it has: a reset is how a leaked password
// is recovered from, and whoever logged in with the old one must be out.
// It reports whether it created the admin and how many sessions it ended.
func (s *Store) ResetAdmin(ctx context.Context, email, password string) (created bool, ended int, err error) {
	if created, err = s.SetAdmin(ctx, email, password); err != nil || created {
		return created, 0, err
	}
	// After the new password is in: a login with the old one that checked
	// it before the change made its session before this delete, so it goes
	// too, and one that finishes later finds the hash changed and makes
	// none (Login).
	email = strings.TrimSpace(email)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		const admin = `(SELECT id FROM admins WHERE email = ?)`
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE admin_id = `+admin+` AND expires_at > ?`,
			email, sqlite.Now()).Scan(&ended)
		if err != nil {
			return fmt.Errorf("count sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE admin_id = `+admin, email); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return nil
	})
	return false, ended, err
}

// EnsureAdmin makes the admin with this email exist with this password, as
// start-up does from BULLETIN_ADMIN_EMAIL and BULLETIN_ADMIN_PASSWORD. An
// admin whose password is this one already is left as it is, sessions and
// all, so that a restart changes nothing; any other is reset as by
// ResetAdmin, which ends its sessions, since a new password there is how a
// leaked one is replaced. It reports whether it created the admin, whether
// it reset an existing one, and how many sessions it ended.
func (s *Store) EnsureAdmin(ctx context.Context, email, password string) (created, reset bool, ended int, err error) {
	if email, err = validEmail(email); err != nil {
		return false, false, 0, err
	}
	if err := validPassword(password); err != nil {
		return false, false, 0, err
	}
	var hash string
	err = s.db.Read.QueryRowContext(ctx, `SELECT password_hash FROM admins WHERE email = ?`, email).Scan(&hash)
	if err == nil && bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil {
		return false, false, 0, nil
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, false, 0, fmt.Errorf("find admin: %w", err)
	}
	created, ended, err = s.ResetAdmin(ctx, email, password)
	return created, err == nil && !created, ended, err
}

// ListAdmins returns every admin, by email, with its live sessions.
func (s *Store) ListAdmins(ctx context.Context) ([]Admin, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT a.id, a.email, a.created_at,
			(SELECT COUNT(*) FROM sessions s WHERE s.admin_id = a.id AND s.expires_at > ?)
		FROM admins a ORDER BY a.email`, sqlite.Now())
	if err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	defer rows.Close()
	var list []Admin
	for rows.Next() {
		var a Admin
		if err := rows.Scan(&a.ID, &a.Email, &a.CreatedAt, &a.Sessions); err != nil {
			return nil, fmt.Errorf("list admins: %w", err)
		}
		list = append(list, a)
	}
	return list, rows.Err()
}

// DeleteAdmin removes the admin with this email and its sessions, and
// reports how many live sessions it ended. It refuses to remove the last
// admin, which would leave no way into the admin area but the command line.
func (s *Store) DeleteAdmin(ctx context.Context, email string) (ended int, err error) {
	email = strings.TrimSpace(email)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		var n int
		err := tx.QueryRowContext(ctx, `SELECT id, (SELECT COUNT(*) FROM admins),
				(SELECT COUNT(*) FROM sessions s WHERE s.admin_id = a.id AND s.expires_at > ?)
			FROM admins a WHERE email = ?`, sqlite.Now(), email).Scan(&id, &n, &ended)
		if err == sql.ErrNoRows {
			return bulletin.Errorf(bulletin.ENOTFOUND, "There is no admin %s.", email)
		} else if err != nil {
			return fmt.Errorf("find admin: %w", err)
		}
		if n == 1 {
			return bulletin.Errorf(bulletin.ECONFLICT, "%s is the last admin: create another before deleting this one.", email)
		}
		// Sessions go with it (ON DELETE CASCADE); deleted here as well so
		// that no foreign-key setting can leave one behind.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE admin_id = ?`, id); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM admins WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete admin: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return ended, nil
}

// ListTokens returns every API token, oldest first.
func (s *Store) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, name, secret_start, created_at, last_used_at FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var list []Token
	for rows.Next() {
		var t Token
		var used sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Start, &t.CreatedAt, &used); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.LastUsedAt = used.Time
		list = append(list, t)
	}
	return list, rows.Err()
}

// RevokeToken deletes every API token named name, so that none of them
// opens the API any more, and reports how many there were.
func (s *Store) RevokeToken(ctx context.Context, name string) (int, error) {
	name = strings.TrimSpace(name)
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE name = ?`, name)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err == nil && n == 0 {
		return 0, bulletin.Errorf(bulletin.ENOTFOUND, "There is no API token named %q.", name)
	}
	return int(n), err
}

// RevokeTokenID deletes the API token with id, which opens the API no more.
func (s *Store) RevokeTokenID(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bulletin.Errorf(bulletin.ENOTFOUND, "There is no such API token: it was revoked already.")
		}
		return nil
	})
}
