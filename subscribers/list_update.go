package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A ListPatch names the fields of a list to change; nil leaves one as it
// is. The API's PATCH and the admin's forms both make one.
type ListPatch struct {
	Slug          *string `json:"slug"`
	Name          *string `json:"name"`
	Description   *string `json:"description"`
	Public        *bool   `json:"public"`
	Digest        *string `json:"digest"`
	DigestHour    *int    `json:"digest_hour"`
	DigestWeekday *string `json:"digest_weekday"`
	Timezone      *string `json:"timezone"`
	From          *string `json:"from"`
	ReplyTo       *string `json:"reply_to"`
	Welcome       *string `json:"welcome"`
	Tracking      *string `json:"tracking"`
	Opens         *bool   `json:"opens"`
}

// Apply copies the fields p names onto l.
func (p *ListPatch) Apply(l *List) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&l.Slug, p.Slug)
	set(&l.Name, p.Name)
	set(&l.Description, p.Description)
	set(&l.Digest, p.Digest)
	set(&l.DigestWeekday, p.DigestWeekday)
	set(&l.Timezone, p.Timezone)
	set(&l.From, p.From)
	set(&l.ReplyTo, p.ReplyTo)
	set(&l.Welcome, p.Welcome)
	set(&l.Tracking, p.Tracking)
	if p.Opens != nil {
		l.Opens = *p.Opens
	}
	if p.Public != nil {
		l.Public = *p.Public
	}
	if p.DigestHour != nil {
		l.DigestHour = *p.DigestHour
	}
}

// NewList is a list with the defaults of one made without them (public,
// no digest, 08:00 on Mondays in UTC, anonymous click counts, no open
// pixel) and the fields p names.
func NewList(p *ListPatch) *List {
	l := &List{Public: true, Digest: "off", DigestHour: 8, DigestWeekday: "monday", Timezone: "UTC", Tracking: TrackingAnonymous}
	p.Apply(l)
	return l
}

// UpdateList changes the fields p names of the list slug and returns the
// stored list. A new slug that another list has is a conflict, or a bad
// "slug" field beside the others when p has other faults. A welcome
// text that fails one of checks is refused as a bad "welcome" field, the
// stored one too when p leaves it as it is: a list whose welcome mail
// does not render is saved again only with that fixed or emptied.
func (s *Store) UpdateList(ctx context.Context, slug string, p *ListPatch, checks ...WelcomeCheck) (*List, error) {
	var l *List
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = listBySlug(ctx, tx, slug); err != nil {
			return err
		}
		was, saved, zone := l.Digest, l.Welcome, l.Timezone
		p.Apply(l)
		if err := l.validate(checks, saved, zone); err != nil {
			return withSlugTaken(ctx, tx, err, l.Slug, l.ID)
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM lists WHERE slug = ? AND id <> ?`, l.Slug, l.ID).Scan(&taken); err != nil {
			return fmt.Errorf("update list: %w", err)
		} else if taken > 0 {
			return bulletin.Errorf(bulletin.ECONFLICT, "A list with the slug %q exists already.", l.Slug)
		}
		_, err = tx.ExecContext(ctx, `UPDATE lists SET slug = ?, name = ?, description = ?, public = ?, digest = ?, digest_hour = ?,
			digest_weekday = ?, timezone = ?, from_address = ?, reply_to = ?, welcome = ?, tracking = ?, opens = ? WHERE id = ?`,
			l.Slug, l.Name, l.Description, l.Public, l.Digest, l.DigestHour,
			l.DigestWeekday, l.Timezone, l.From, l.ReplyTo, l.Welcome, l.Tracking, l.Opens, l.ID)
		if err != nil {
			return fmt.Errorf("update list: %w", err)
		}
		if l.Digest == "daily" && was != "daily" {
			return startRollup(ctx, tx, l.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.lists.invalidate()
	return l, nil
}

// startRollup starts the weekly round-up of a list that becomes daily
// where the list's last digest ended: its weekly readers got that digest,
// and a round-up without a mark of its own would be due at once, with the
// week's articles they were mailed already; it takes the slot of the
// list's last scheduled digest too, so the scheduler counts this week's
// round-up as sent. The articles the digest holds until their publication
// time are held for the round-up too.
//
// A round-up mark the list kept from its daily days stays as it is: the
// list's first digest since it left daily takes its weekly readers from
// that mark and deletes it (campaigns' buildDigestTx), so one is left
// only when no digest went out since, and the list's own mark is then that
// of its last daily digest, which the weekly readers never got.
func startRollup(ctx context.Context, tx *sql.Tx, listID int64) error {
	var kept bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM digest_rollup_marks WHERE list_id = ?)`, listID).Scan(&kept); err != nil {
		return fmt.Errorf("start the weekly round-up: %w", err)
	}
	if kept {
		return nil
	}
	for _, q := range []string{
		`INSERT INTO digest_rollup_marks (list_id, last_digest_at, last_article_id, last_slot)
			SELECT list_id, last_digest_at, last_article_id, last_slot FROM digest_marks WHERE list_id = ?`,
		`DELETE FROM digest_holds WHERE list_id = ? AND marks = 'digest_rollup_marks'`,
		`INSERT INTO digest_holds (list_id, marks, article_id)
			SELECT list_id, 'digest_rollup_marks', article_id FROM digest_holds WHERE list_id = ? AND marks = 'digest_marks'`,
	} {
		if _, err := tx.ExecContext(ctx, q, listID); err != nil {
			return fmt.Errorf("start the weekly round-up: %w", err)
		}
	}
	return nil
}

// DeleteList deletes the list slug with its subscriptions, digest marks,
// feeds and article links. While a campaign is sending to it, is paused
// or is scheduled, it refuses with a conflict that names the campaign.
// Campaigns that are done or drafts stay, without this list.
func (s *Store) DeleteList(ctx context.Context, slug string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		l, err := listBySlug(ctx, tx, slug)
		if err != nil {
			return err
		}
		if err := refuseBusyList(ctx, tx, l); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_lists WHERE list_id = ?`, l.ID); err != nil {
			return fmt.Errorf("delete list: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM lists WHERE id = ?`, l.ID); err != nil {
			return fmt.Errorf("delete list: %w", err)
		}
		return nil
	})
	if err == nil {
		s.lists.invalidate()
	}
	return err
}

// refuseBusyList is a conflict when a campaign (or digest) that is not
// done yet goes to l: the fan-out reads the campaign's lists while it runs.
func refuseBusyList(ctx context.Context, tx *sql.Tx, l *List) error {
	var subject, status string
	err := tx.QueryRowContext(ctx, `SELECT c.subject, c.status FROM campaigns c JOIN campaign_lists cl ON cl.campaign_id = c.id
		WHERE cl.list_id = ? AND c.status IN ('sending', 'paused', 'scheduled') ORDER BY c.id LIMIT 1`, l.ID).Scan(&subject, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("delete list: %w", err)
	}
	switch status {
	case "scheduled":
		return bulletin.Errorf(bulletin.ECONFLICT, "The campaign %q is scheduled to go to this list; cancel it or take the list out of it first.", truncate(subject, 80))
	case "paused":
		return bulletin.Errorf(bulletin.ECONFLICT, "The campaign %q is paused halfway through sending to this list; cancel it first, or resume it and delete the list once it has finished.", truncate(subject, 80))
	}
	return bulletin.Errorf(bulletin.ECONFLICT, "The campaign %q is sending to this list; delete the list once it has finished, or cancel it first.", truncate(subject, 80))
}

func listBySlug(ctx context.Context, tx *sql.Tx, slug string) (*List, error) {
	l, err := scanList(tx.QueryRowContext(ctx, `SELECT `+listColumns+` FROM lists WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no list %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("read list: %w", err)
	}
	return l, nil
}

// FromDomains returns the domains of the lists' own From addresses, lower
// case, each once: the sending domains besides BULLETIN_FROM's, whose DNS
// the deliverability checks look at too.
func (s *Store) FromDomains(ctx context.Context) ([]string, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT DISTINCT from_address FROM lists WHERE from_address != ''`)
	if err != nil {
		return nil, fmt.Errorf("list from domains: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	for rows.Next() {
		var from string
		if err := rows.Scan(&from); err != nil {
			return nil, err
		}
		a, err := mail.ParseAddress(from)
		if err != nil {
			continue // validated when stored; an old row is no reason to fail
		}
		d := strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out, rows.Err()
}
