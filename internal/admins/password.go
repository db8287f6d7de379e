package admins

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// errWrongPassword answers a wrong current password on a change.
var errWrongPassword = bulletin.Errorf(bulletin.EUNAUTHORIZED, "The current password is wrong.")

// ChangePassword sets the password of admin id, who proves it knows the
// current one, from the session with secret keep. Every other session of
// that admin ends: a change is how one shuts out a device or a person that
// had the old password. A wrong current password counts against addr like
// a wrong login. It reports how many live sessions it ended.
func (s *Store) ChangePassword(ctx context.Context, addr string, id int64, keep, current, next string) (ended int, err error) {
	isWrong := func(err error) bool { return errors.Is(err, errWrongPassword) }
	err = s.attempt(ctx, addr, isWrong, func() error {
		hash, err := s.currentHash(ctx, id, current)
		if err != nil {
			return err
		}
		if err := validPassword(next); err != nil {
			return err
		}
		newHash, err := s.hash(next)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		if s.beforePasswordWrite != nil {
			s.beforePasswordWrite()
		}
		return s.db.Tx(ctx, func(tx *sql.Tx) error {
			// The change is made only while the hash checked above is still
			// the admin's. A reset or another change that committed during
			// the bcrypt made the password given stale: it is answered as a
			// wrong current password, and the newer password stays.
			res, err := tx.ExecContext(ctx, `UPDATE admins SET password_hash = ? WHERE id = ? AND password_hash = ?`,
				string(newHash), id, hash)
			if err != nil {
				return fmt.Errorf("change password: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("change password: %w", err)
			} else if n == 0 {
				return errWrongPassword
			}
			const others = `admin_id = ? AND token_hash <> ?`
			err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE `+others+` AND expires_at > ?`,
				id, hashToken(keep), sqlite.Now()).Scan(&ended)
			if err != nil {
				return fmt.Errorf("count sessions: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE `+others, id, hashToken(keep)); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	return ended, nil
}

// CheckPassword says whether current is admin id's password, changing
// nothing: the password form asks it when the new password is refused, so
// that a wrong current password is reported with the new one's faults, not
// only on the next try. A wrong one counts against addr as in
// ChangePassword, and gets the same answer.
func (s *Store) CheckPassword(ctx context.Context, addr string, id int64, current string) error {
	isWrong := func(err error) bool { return errors.Is(err, errWrongPassword) }
	return s.attempt(ctx, addr, isWrong, func() error {
		_, err := s.currentHash(ctx, id, current)
		return err
	})
}

// currentHash returns admin id's password hash when current is that
// password, and errWrongPassword when it is not.
func (s *Store) currentHash(ctx context.Context, id int64, current string) (string, error) {
	var hash string
	err := s.db.Read.QueryRowContext(ctx, `SELECT password_hash FROM admins WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", bulletin.Errorf(bulletin.ENOTFOUND, "This admin no longer exists.")
	} else if err != nil {
		return "", fmt.Errorf("find admin: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
		return "", errWrongPassword
	}
	return hash, nil
}

// ValidPassword says what is wrong with password as a new admin password,
// if anything: the rule every way of setting one applies.
func ValidPassword(password string) error { return validPassword(password) }

// validEmail returns email trimmed when it is a bare address.
func validEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", bulletin.Errorf(bulletin.EINVALID, "Enter the admin's email address.")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || a.Name != "" {
		// Say what to write: the quoted address alone left the editor to
		// guess what was wrong with it (a name or brackets around it, most
		// often, when copied from a mail program).
		return "", bulletin.Errorf(bulletin.EINVALID, "%q is not an email address: write the address alone, like name@example.com.", email)
	}
	return email, nil
}

// validPassword says what is wrong with password as an admin's, if anything.
func validPassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return bulletin.Errorf(bulletin.EINVALID, "The password needs at least %d characters.", MinPasswordLen)
	}
	if len(password) > MaxPasswordBytes {
		return bulletin.Errorf(bulletin.EINVALID, "%s", tooLong(password))
	}
	return nil
}

// MaxPasswordBytes is the most of a password bcrypt reads: 72 bytes of
// UTF-8, which is 72 characters only when they are all ASCII.
const MaxPasswordBytes = 72

// tooLong says that password is too long in words its owner can act on:
// "72 bytes" alone told them nothing, as a form counts characters, and a
// password of 40 accented letters passed the form's limit of 72.
func tooLong(password string) string {
	n := utf8.RuneCountInString(password)
	if n == len(password) {
		return fmt.Sprintf("The password has %d characters: use at most %d.", n, MaxPasswordBytes)
	}
	return fmt.Sprintf("The password is too long: its %d characters count as %d, and at most %d are allowed "+
		"(a letter A to Z, a digit or a sign such as ! counts as 1, an accented letter such as é as 2, "+
		"most other characters as 3 or 4). Use a shorter one.", n, len(password), MaxPasswordBytes)
}
