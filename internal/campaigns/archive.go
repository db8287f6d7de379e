package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
)

// An Issue is a campaign or digest in the public archive: one that has
// gone out to at least one public list.
type Issue struct {
	ID       int64
	Kind     string // campaign or digest
	Subject  string
	Lists    []string // names of its public lists
	SentAt   time.Time
	BodyHTML string // only from ArchiveIssue
}

// archiveWhere selects archived issues: sending or sent, to a public list.
const archiveWhere = `c.status IN ('sending', 'sent') AND c.started_at IS NOT NULL
	AND EXISTS (SELECT 1 FROM campaign_lists cl JOIN lists l ON l.id = cl.list_id WHERE cl.campaign_id = c.id AND l.public = 1)`

// Archive returns archived issues newest first, below the id before (0 for
// the newest), and the before of the next page (0 on the last one).
func (s *Store) Archive(ctx context.Context, before int64, limit int) ([]*Issue, int64, error) {
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT c.id, c.kind, c.subject, c.started_at FROM campaigns c
		WHERE c.id < ? AND `+archiveWhere+` ORDER BY c.id DESC LIMIT ?`, before, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("archive: %w", err)
	}
	out, err := collect(rows, func(r scanner) (*Issue, error) {
		var is Issue
		return &is, r.Scan(&is.ID, &is.Kind, &is.Subject, &is.SentAt)
	})
	if err != nil {
		return nil, 0, err
	}
	out, next := nextPage(out, limit, func(is *Issue) int64 { return is.ID })
	for _, is := range out {
		if is.Lists, err = s.publicLists(ctx, is.ID); err != nil {
			return nil, 0, err
		}
	}
	return out, next, nil
}

// ArchiveIssue returns one archived issue with its body as a reader sees
// it, the personal fields shown as a generic reader's. Anything not in the
// archive is not found.
func (s *Store) ArchiveIssue(ctx context.Context, id int64) (*Issue, error) {
	is := &Issue{ID: id}
	err := s.db.Read.QueryRowContext(ctx, `SELECT c.kind, c.subject, c.started_at, c.body_html FROM campaigns c
		WHERE c.id = ? AND `+archiveWhere, id).Scan(&is.Kind, &is.Subject, &is.SentAt, &is.BodyHTML)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "No issue %d in the archive.", id)
	} else if err != nil {
		return nil, fmt.Errorf("archive issue: %w", err)
	}
	is.SentAt = is.SentAt.UTC()
	if is.Lists, err = s.publicLists(ctx, id); err != nil {
		return nil, err
	}
	return is, nil
}

// archiveReader is who a campaign is stored and archived for: no one in
// particular. The links with tokens are in the mail around the body,
// never in it.
var archiveReader = mailer.Personal{Name: "reader"}

func (s *Store) publicLists(ctx context.Context, id int64) ([]string, error) {
	names, err := sqlite.Column[string](s.db.Read.QueryContext(ctx, `SELECT l.name FROM campaign_lists cl JOIN lists l ON l.id = cl.list_id
		WHERE cl.campaign_id = ? AND l.public = 1 ORDER BY l.id`, id))
	if err != nil {
		return nil, fmt.Errorf("issue lists: %w", err)
	}
	return names, nil
}
