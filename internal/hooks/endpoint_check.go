package hooks

import (
	"context"
	"fmt"
	"maps"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Check returns the refusal of fields that saving in would answer,
// storing nothing: Create's when id is 0, else Update's of endpoint id
// (ENOTFOUND when there is none). An API body some members of which the
// decoder refused is checked so for the rest, and one answer names every
// fault. A URL another endpoint has is named as the save names it.
func (s *Store) Check(ctx context.Context, id int64, in Input) error {
	var current string
	if id != 0 {
		e, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		current = articles.NormalizeURL(e.URL)
	}
	err := s.check(ctx, &in, id == 0)
	fields := bulletin.ErrorFields(err)
	if err != nil && fields == nil {
		return err
	}
	if in.URL == nil || fields["url"] != "" || *in.URL == current {
		return err
	}
	tx, terr := s.db.Read.BeginTx(ctx, nil)
	if terr != nil {
		return fmt.Errorf("check webhook endpoint: %w", terr)
	}
	defer tx.Rollback()
	ferr := urlFree(ctx, tx, *in.URL, id)
	if bulletin.ErrorCode(ferr) != bulletin.EINVALID {
		if ferr != nil {
			return ferr
		}
		return err
	}
	all := maps.Clone(fields)
	if all == nil {
		all = map[string]string{}
	}
	maps.Copy(all, bulletin.ErrorFields(ferr))
	return bulletin.Invalid(all)
}
