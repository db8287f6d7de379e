package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A Suppression is one entry of the suppression list: an address or a
// whole domain that gets no mail, and why.
type Suppression struct {
	Address string `json:"address,omitempty"`
	Domain  string `json:"domain,omitempty"`
	Reason  string `json:"reason"`
	Source  string `json:"source"`
	// Note is why an admin added it, in their words.
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// Target is the address or domain the entry is for.
func (s Suppression) Target() string { return s.Address + s.Domain }

// A SuppressionFilter selects a page of the suppression list.
type SuppressionFilter struct {
	// Q matches part of the address or domain, ignoring ASCII case.
	Q string
	// After is the last target of the previous page; pages go by target.
	After string
	// Limit is the page size: 50 when 0.
	Limit int
	// Exact, when set, selects the entry for that very target alone.
	Exact string
}

// Suppressions returns a page of the suppression list in order of target,
// and the target to page on from, empty on the last page.
func (s *Store) Suppressions(ctx context.Context, f SuppressionFilter) ([]Suppression, string, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT target, reason, source, note, created_at FROM suppressions WHERE target > ?`
	args := []any{f.After}
	if f.Q != "" {
		q += ` AND target LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(emailKey(f.Q))+"%")
	}
	if f.Exact != "" {
		q += ` AND target = ?`
		args = append(args, emailKey(f.Exact))
	}
	rows, err := s.db.Read.QueryContext(ctx, q+` ORDER BY target LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("list suppressions: %w", err)
	}
	defer rows.Close()
	var out []Suppression
	for rows.Next() {
		sp, err := scanSuppression(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, sp)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list suppressions: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Target()
	}
	return out, next, nil
}

// AddSuppression adds target, an address or domain already checked by the
// caller, for reason with an admin's note; it returns the entry as stored and whether it is
// new (a target suppressed already keeps its first reason).
func (s *Store) AddSuppression(ctx context.Context, target, reason, source, note string) (Suppression, bool, error) {
	var sp Suppression
	var created bool
	if err := checkSuppression(target, reason); err != nil {
		return sp, false, err
	}
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO suppressions (target, reason, source, note, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (target) DO NOTHING`, emailKey(target), reason, source, clip(note, 500), now)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		created = n == 1
		sp, err = scanSuppression(tx.QueryRowContext(ctx, `SELECT target, reason, source, note, created_at FROM suppressions WHERE target = ?`, emailKey(target)))
		return err
	})
	if err != nil {
		return sp, false, fmt.Errorf("add suppression: %w", err)
	}
	return sp, created, nil
}

// Lift takes target off the suppression list and returns the entry it
// was; ENOTFOUND when it was not on it. Lifting an address does not lift
// its domain.
func (s *Store) Lift(ctx context.Context, target string) (Suppression, error) {
	var sp Suppression
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		sp, err = scanSuppression(tx.QueryRowContext(ctx, `DELETE FROM suppressions WHERE target = ?
			RETURNING target, reason, source, note, created_at`, emailKey(target)))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return sp, bulletin.Errorf(bulletin.ENOTFOUND, "%s is not on the suppression list.", emailKey(target))
	} else if err != nil {
		return sp, fmt.Errorf("lift suppression: %w", err)
	}
	return sp, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanSuppression(row scanner) (Suppression, error) {
	var sp Suppression
	var target string
	if err := row.Scan(&target, &sp.Reason, &sp.Source, &sp.Note, &sp.CreatedAt); err != nil {
		return sp, err
	}
	if strings.Contains(target, "@") {
		sp.Address = target
	} else {
		sp.Domain = target
	}
	sp.CreatedAt = sp.CreatedAt.UTC()
	return sp, nil
}

// likeEscape escapes the wildcards of a LIKE pattern with a backslash.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
