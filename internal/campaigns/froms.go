package campaigns

import (
	"cmp"
	"context"
	"fmt"
)

// A ListFrom is the From a campaign's mail to the readers of one of its
// lists goes out under: the list's own (Own), else the publication's.
type ListFrom struct {
	Slug, Name, From string
	Own              bool
}

// Froms returns the From of each of campaign id's lists, in the order
// they were given (listOrder): the fan-out gives a reader on several of them the mail of
// the first they are on (insertPage's batches), under that list's From,
// as wrap picks it. A campaign to lists with froms of their own goes out
// under several, which its send page names.
func (s *Service) Froms(ctx context.Context, id int64) ([]ListFrom, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT l.slug, l.name, COALESCE(l.from_address, '') FROM campaign_lists cl
		JOIN lists l ON l.id = cl.list_id WHERE cl.campaign_id = ? ORDER BY `+listOrder, id)
	if err != nil {
		return nil, fmt.Errorf("campaign froms: %w", err)
	}
	out, err := collect(rows, func(r scanner) (ListFrom, error) {
		var f ListFrom
		err := r.Scan(&f.Slug, &f.Name, &f.From)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("campaign froms: %w", err)
	}
	pub := s.publication(ctx).From()
	for i := range out {
		out[i].Own = out[i].From != ""
		out[i].From = cmp.Or(out[i].From, pub)
	}
	return out, nil
}
