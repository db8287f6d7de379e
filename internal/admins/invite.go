package admins

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// InviteTTL is how long an invite link works.
const InviteTTL = 72 * time.Hour

// An Invite is a one-time link that lets its holder become an admin with
// the email it names.
type Invite struct {
	ID        int64
	Email     string
	InvitedBy string // the inviting admin's email, "" when unknown or removed
	CreatedAt time.Time
	ExpiresAt time.Time
	// Token is the secret of the link, set only by CreateInvite: only its
	// hash is stored.
	Token string
}

// The answers to an invite link that does not work. Each says what to do.
var (
	ErrInviteUnknown = bulletin.Errorf(bulletin.EBADREQUEST,
		"This invite link is not valid: it is incomplete or the invite was cancelled. Copy the whole link, or ask an admin for a new invite.")
	ErrInviteUsed = bulletin.Errorf(bulletin.EBADREQUEST,
		"This invite link was already used. Log in with the password chosen then, or ask an admin for a new invite.")
	ErrInviteExpired = bulletin.Errorf(bulletin.EBADREQUEST,
		"This invite link has expired: invites work for 72 hours. Ask an admin for a new one.")
)

func isUnknownInvite(err error) bool { return errors.Is(err, ErrInviteUnknown) }

// CreateInvite makes a one-time link for email, sent by the admin with id
// by (0 for none). An earlier unused invite for the same email stops
// working: the newest link is the one that counts.
func (s *Store) CreateInvite(ctx context.Context, by int64, email string) (*Invite, error) {
	email, err := validEmail(email)
	if err != nil {
		return nil, err
	}
	now := sqlite.Now()
	inv := &Invite{Email: email, CreatedAt: now, ExpiresAt: now.Add(InviteTTL), Token: randomString(32)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM admins WHERE email = ?`, email).Scan(&n); err != nil {
			return fmt.Errorf("find admin: %w", err)
		} else if n > 0 {
			return bulletin.Errorf(bulletin.ECONFLICT, "%s is already an admin.", email)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM invites WHERE email = ? AND used_at IS NULL`, email); err != nil {
			return fmt.Errorf("replace invite: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO invites (token_hash, email, invited_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, hashToken(inv.Token), email, sql.NullInt64{Int64: by, Valid: by != 0}, now, inv.ExpiresAt)
		if err != nil {
			return fmt.Errorf("create invite: %w", err)
		}
		inv.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// PendingInvites returns the invites not yet used or expired, oldest first.
func (s *Store) PendingInvites(ctx context.Context) ([]Invite, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT i.id, i.email, COALESCE(a.email, ''), i.created_at, i.expires_at
		FROM invites i LEFT JOIN admins a ON a.id = i.invited_by
		WHERE i.used_at IS NULL AND i.expires_at > ? ORDER BY i.id`, sqlite.Now())
	if err != nil {
		return nil, fmt.Errorf("list invites: %w", err)
	}
	defer rows.Close()
	var list []Invite
	for rows.Next() {
		var inv Invite
		if err := rows.Scan(&inv.ID, &inv.Email, &inv.InvitedBy, &inv.CreatedAt, &inv.ExpiresAt); err != nil {
			return nil, fmt.Errorf("list invites: %w", err)
		}
		list = append(list, inv)
	}
	return list, rows.Err()
}

// CancelInvite makes the unused invite with id stop working.
func (s *Store) CancelInvite(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM invites WHERE id = ? AND used_at IS NULL`, id)
		if err != nil {
			return fmt.Errorf("cancel invite: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bulletin.Errorf(bulletin.ENOTFOUND, "There is no such pending invite: it was used or cancelled already.")
		}
		return nil
	})
}

// CheckInvite returns the invite whose link holds token, as a try from
// addr: an unknown token counts against addr like a wrong password.
func (s *Store) CheckInvite(ctx context.Context, addr, token string) (*Invite, error) {
	var inv *Invite
	err := s.attempt(ctx, addr, isUnknownInvite, func() (err error) {
		inv, err = findInvite(ctx, s.db.Read, token)
		return err
	})
	return inv, err
}

// AcceptInvite creates the admin of the invite whose link holds token,
// with password, uses the invite up and starts a session, whose secret it
// returns for the cookie. The try counts against addr as CheckInvite's. A
// refused password leaves the invite as it was.
func (s *Store) AcceptInvite(ctx context.Context, addr, token, password string) (secret string, sess *Session, err error) {
	err = s.attempt(ctx, addr, isUnknownInvite, func() error {
		inv, err := findInvite(ctx, s.db.Read, token)
		if err != nil {
			return err
		}
		if err := validPassword(password); err != nil {
			return err
		}
		hash, err := s.hash(password)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		return s.db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL`, sqlite.Now(), inv.ID)
			if err != nil {
				return fmt.Errorf("use invite: %w", err)
			} else if n, _ := res.RowsAffected(); n == 0 {
				return ErrInviteUsed // by a request that raced this one
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM admins WHERE email = ?`, inv.Email).Scan(&n); err != nil {
				return fmt.Errorf("find admin: %w", err)
			} else if n > 0 {
				return bulletin.Errorf(bulletin.ECONFLICT, "%s is already an admin: log in instead.", inv.Email)
			}
			res, err = tx.ExecContext(ctx, `INSERT INTO admins (email, password_hash, created_at) VALUES (?, ?, ?)`,
				inv.Email, string(hash), sqlite.Now())
			if err != nil {
				return fmt.Errorf("create admin: %w", err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			secret, sess, err = startSession(ctx, tx, id, inv.Email)
			return err
		})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// findInvite returns the invite of token while it works, and otherwise
// the error that says why it does not.
func findInvite(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, token string) (*Invite, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrInviteUnknown
	}
	var inv Invite
	var used sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, email, created_at, expires_at, used_at FROM invites WHERE token_hash = ?`,
		hashToken(token)).Scan(&inv.ID, &inv.Email, &inv.CreatedAt, &inv.ExpiresAt, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, ErrInviteUnknown
	case err != nil:
		return nil, fmt.Errorf("find invite: %w", err)
	case used.Valid:
		return nil, ErrInviteUsed
	case !inv.ExpiresAt.After(sqlite.Now()):
		return nil, ErrInviteExpired
	}
	return &inv, nil
}

// startSession starts a session of admin id in tx and returns its secret.
func startSession(ctx context.Context, tx *sql.Tx, id int64, email string) (string, *Session, error) {
	secret := randomString(32)
	sess := &Session{AdminID: id, Email: email, CSRF: randomString(24), Expires: sqlite.Now().Add(SessionTTL)}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, admin_id, csrf, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, hashToken(secret), id, sess.CSRF, sqlite.Now(), sess.Expires)
	if err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return secret, sess, nil
}
