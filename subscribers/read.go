package subscribers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// subscriberColumns are the columns scanSubscriber reads, with the slugs of
// the lists the subscriber is on or joining, comma-separated.
const subscriberColumns = `id, email, name, status, attributes, frequency, bounce_count,
	created_at, updated_at, confirmed_at, unsubscribed_at,
	(SELECT group_concat(l.slug, ',') FROM subscriptions s JOIN lists l ON l.id = s.list_id
	 WHERE s.subscriber_id = subscribers.id AND s.status != 'unsubscribed')`

func scanSubscriber(r scanner) (*Subscriber, error) {
	var (
		sub   Subscriber
		attrs string
		lists sql.NullString
		conf  sql.NullTime
		unsub sql.NullTime
	)
	if err := r.Scan(&sub.ID, &sub.Email, &sub.Name, &sub.Status, &attrs, &sub.Frequency, &sub.BounceCount,
		&sub.CreatedAt, &sub.UpdatedAt, &conf, &unsub, &lists); err != nil {
		return nil, err
	}
	sub.Attributes = map[string]any{}
	if attrs != "" {
		_ = json.Unmarshal([]byte(attrs), &sub.Attributes)
	}
	sub.Lists = []string{}
	if lists.Valid && lists.String != "" {
		sub.Lists = strings.Split(lists.String, ",")
	}
	if conf.Valid {
		sub.ConfirmedAt = &conf.Time
	}
	if unsub.Valid {
		sub.UnsubscribedAt = &unsub.Time
	}
	return &sub, nil
}

// errNoSubscriber is the not-found answer for an id.
var errNoSubscriber = bulletin.Errorf(bulletin.ENOTFOUND, "There is no such subscriber.")

// Get returns subscriber id with its lists.
func (s *Store) Get(ctx context.Context, id int64) (*Subscriber, error) {
	row := s.db.Read.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id = ?`, id)
	sub, err := scanSubscriber(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSubscriber
	} else if err != nil {
		return nil, fmt.Errorf("get subscriber: %w", err)
	}
	return sub, nil
}

// ByEmail returns the subscriber whose address is email, in any case of
// its ASCII letters, found by its key; not found for an address no one
// has, or one that is no address.
func (s *Store) ByEmail(ctx context.Context, email string) (*Subscriber, error) {
	addr, msg := NormalizeEmail(email)
	if msg != "" {
		return nil, errNoSubscriber
	}
	row := s.db.Read.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE email_key = ?`, EmailKey(addr))
	sub, err := scanSubscriber(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSubscriber
	} else if err != nil {
		return nil, fmt.Errorf("subscriber by address: %w", err)
	}
	return sub, nil
}

// FrequencyPending returns, one a list, where subscriber id's change of
// digest frequency has not yet taken effect: the lists FrequencyNotes
// has a note for (pendingSwitches), in the same order. next(l,
// cadence) is when list l's next digest of cadence is due, which this
// package leaves to its caller (campaigns.NextDigest). Nil when nothing
// is pending.
func (s *Store) FrequencyPending(ctx context.Context, id int64, next func(l *List, cadence string) time.Time) ([]PendingFrequency, error) {
	pending, err := s.pendingSwitches(ctx, id)
	var out []PendingFrequency
	for _, p := range pending {
		to := "daily"
		if p.still == "daily" {
			to = "weekly"
		}
		out = append(out, PendingFrequency{List: p.list.Slug, Still: p.still, Until: next(p.list, to)})
	}
	return out, err
}

// A Filter selects subscribers for List.
type Filter struct {
	Q      string // part of the email or name, any case
	List   string // slug: on or joining this list
	Status string
	After  int64
	Limit  int
}

// List returns a page of subscribers ordered by id and the id to pass as
// After for the next page (0 at the end).
func (s *Store) List(ctx context.Context, f Filter) ([]*Subscriber, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Status != "" && !validStatus(f.Status) {
		return nil, 0, bulletin.Invalid(map[string]string{"status": "use pending, confirmed, unsubscribed or bounced"})
	}
	where, args := f.conditions()
	where = append([]string{`id > ?`}, where...)
	args = append([]any{f.After}, args...)
	args = append(args, f.Limit+1)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list subscribers: %w", err)
	}
	defer rows.Close()
	var out []*Subscriber
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list subscribers: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list subscribers: %w", err)
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// foldGlob is a GLOB pattern matching s ignoring case: each letter with
// other case forms becomes a class of them all ("É" is "[Éé]"), and the
// pattern's own special characters match themselves.
func foldGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.SimpleFold(r) == r {
			switch r {
			case '*', '?', '[':
				b.WriteByte('[')
				b.WriteRune(r)
				b.WriteByte(']')
			default:
				b.WriteRune(r)
			}
			continue
		}
		b.WriteByte('[')
		for f := r; ; {
			b.WriteRune(f)
			if f = unicode.SimpleFold(f); f == r {
				break
			}
		}
		b.WriteByte(']')
	}
	return b.String()
}

func validStatus(s string) bool {
	switch s {
	case StatusPending, StatusConfirmed, StatusUnsubscribed, StatusBounced:
		return true
	}
	return false
}

// SetSecret keys the hashes that erasures leave behind, so that the table
// of erased addresses cannot be reversed by hashing guesses.
func (s *Store) SetSecret(secret []byte) {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bulletin erasures v1"))
	s.eraseKey = m.Sum(nil)
}

// EmailHash is the keyed hash an erasure keeps of an address.
func (s *Store) EmailHash(email string) string {
	m := hmac.New(sha256.New, s.eraseKey)
	m.Write([]byte(EmailKey(email)))
	return hex.EncodeToString(m.Sum(nil))
}
