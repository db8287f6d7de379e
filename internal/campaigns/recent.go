package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// An Entry is a campaign or a digest, as the admin area lists them.
type Entry struct {
	*Campaign
	Kind string `json:"kind"` // campaign or digest
}

// Recent returns the newest n issues of kind (campaign or digest; empty for
// both), newest first, with their lists and stats: the admin area's view,
// where the latest matter most.
func (s *Store) Recent(ctx context.Context, kind string, n int) ([]Entry, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, subject, preheader, body, status, send_at, send_zone, created_at, started_at, finished_at, missed_send_at, kind
		FROM campaigns WHERE (? = '' OR kind = ?) ORDER BY id DESC LIMIT ?`, kind, kind, n)
	if err != nil {
		return nil, fmt.Errorf("recent campaigns: %w", err)
	}
	out, err := collect(rows, scanEntry)
	if err != nil {
		return nil, err
	}
	cs := make([]*Campaign, len(out))
	for i, e := range out {
		cs[i] = e.Campaign
	}
	if err := s.fillAll(ctx, cs); err != nil {
		return nil, err
	}
	return out, nil
}

// Entry returns one campaign or digest by id.
func (s *Store) Entry(ctx context.Context, id int64) (Entry, error) {
	row := s.db.Read.QueryRowContext(ctx, `SELECT id, subject, preheader, body, status, send_at, send_zone, created_at, started_at, finished_at, missed_send_at, kind
		FROM campaigns WHERE id = ?`, id)
	is, err := scanEntry(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, bulletin.Errorf(bulletin.ENOTFOUND, "There is no campaign %d.", id)
	} else if err != nil {
		return Entry{}, fmt.Errorf("get issue: %w", err)
	}
	return is, s.fill(ctx, is.Campaign)
}

func scanEntry(r scanner) (Entry, error) {
	var c Campaign
	var kind string
	var sendAt, started, finished, missed sql.NullTime
	if err := r.Scan(&c.ID, &c.Subject, &c.Preheader, &c.Body, &c.Status, &sendAt, &c.SendZone, &c.CreatedAt, &started, &finished, &missed, &kind); err != nil {
		return Entry{}, err
	}
	c.SendAt, c.StartedAt, c.FinishedAt, c.MissedSendAt = timePtr(sendAt), timePtr(started), timePtr(finished), timePtr(missed)
	return Entry{Campaign: &c, Kind: kind}, nil
}
