// Package subscribers owns the people a publisher writes to: subscribers,
// the lists they join, their subscriptions and the signed links that let
// them confirm, change or end them.
package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Subscriber statuses.
const (
	StatusPending      = "pending"
	StatusConfirmed    = "confirmed"
	StatusUnsubscribed = "unsubscribed"
	StatusBounced      = "bounced"
)

// A Subscriber is one reader.
type Subscriber struct {
	ID         int64          `json:"id"`
	Email      string         `json:"email"`
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Attributes map[string]any `json:"attributes"`
	Frequency  string         `json:"frequency"`
	Lists      []string       `json:"lists"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	// ConfirmedAt and UnsubscribedAt are null until it happens.
	ConfirmedAt    *time.Time `json:"confirmed_at"`
	UnsubscribedAt *time.Time `json:"unsubscribed_at"`
	BounceCount    int        `json:"bounce_count"`
	// FrequencyPending is filled by FrequencyPending, for the answers
	// about one reader only, and left out of the JSON when empty.
	FrequencyPending []PendingFrequency `json:"frequency_pending,omitempty"`
	// confirmSentAt is the confirm_sent_at of the confirmation mail a
	// claim hands out: its link names that mail.
	confirmSentAt time.Time
}

// A PendingFrequency is a change of digest frequency that has not yet
// taken effect on the daily list List: the reader still gets its Still
// digests (daily or weekly) until Until, when the list's next digest of
// their new frequency is due and takes them over.
type PendingFrequency struct {
	List  string    `json:"list"`
	Still string    `json:"still"`
	Until time.Time `json:"until"`
}

// EmailKey is the form of an address that makes it unique: the local part
// keeps its case for display, but two addresses that differ only by case
// are one subscriber. Only ASCII letters are folded, as SQLite's lower()
// does: NormalizeEmail admits no other, and folding Unicode (U+212A KELVIN
// SIGN to k) would let one address take another's key.
func EmailKey(email string) string { return asciiLower(strings.TrimSpace(email)) }

// asciiLower lower-cases the ASCII letters of s, leaving every other byte
// where it was.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// Seed adds sub with its lists and status unless its address exists,
// reporting whether it did. It sends nothing: it is for sample data.
func (s *Store) Seed(ctx context.Context, sub *Subscriber) (bool, error) {
	if sub.Status == "" {
		sub.Status = StatusPending
	}
	if sub.Frequency == "" {
		sub.Frequency = "daily"
	}
	var added bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := sqlite.Now()
		var confirmed any
		subStatus := "pending"
		if sub.Status == StatusConfirmed {
			confirmed, subStatus = now, "active"
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, name, status, frequency, created_at, updated_at, confirmed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
			sub.Email, EmailKey(sub.Email), sub.Name, sub.Status, sub.Frequency, now, now, confirmed)
		if err != nil {
			return fmt.Errorf("seed subscriber: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		added = true
		if sub.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, slug := range sub.Lists {
			res, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
				SELECT ?, id, ?, ?, ? FROM lists WHERE slug = ?`, sub.ID, subStatus, now, now, slug)
			if err != nil {
				return fmt.Errorf("seed subscription: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return bulletin.Errorf(bulletin.EINVALID, "There is no list %q.", slug)
			}
		}
		return nil
	})
	return added, err
}
