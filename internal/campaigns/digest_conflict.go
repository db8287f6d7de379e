package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// orDigest is err, the not-found of changing campaign id, unless id is a
// digest's: the API reads a digest by its id like a campaign, so to
// answer "no campaign" when it is edited, deleted, sent, paused, resumed,
// cancelled or duplicated would say it is not there. That is a conflict
// instead, naming where digests are run from. action is what was refused
// ("edited", "sent").
func (s *Store) orDigest(ctx context.Context, id int64, action string, err error) error {
	if bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		return err
	}
	var kind string
	switch kerr := s.db.Read.QueryRowContext(ctx, `SELECT kind FROM campaigns WHERE id = ?`, id).Scan(&kind); {
	case errors.Is(kerr, sql.ErrNoRows):
		return err
	case kerr != nil:
		return fmt.Errorf("campaign kind: %w", kerr)
	case kind != "digest":
		return err
	}
	return DigestConflict(id, action)
}

// DigestConflict is the answer to changing digest id as if it were a
// campaign: a digest is built from its list's new articles and sent on
// the list's schedule, or at once when the list's digest is run.
func DigestConflict(id int64, action string) error {
	return bulletin.Errorf(bulletin.ECONFLICT, "Campaign %d is a digest, which cannot be %s: digests are built and sent on their list's schedule (the list's digest settings) or at once with POST /api/v1/digests/run (Send now on /admin/digests).", id, action)
}
