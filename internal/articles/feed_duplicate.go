package articles

import (
	"context"
	"fmt"
)

// A feedTwin is the feed another feed of its list is the same as.
type feedTwin struct {
	id  int64
	url string
}

// duplicates maps the id of each feed that is the same as another feed
// of its list to that other one. Migration 098 put the feeds' URLs in an
// article URL's form (ArticleURL) but merged none: where several feeds of
// one list came to one URL, only one took it (the one in that form
// already, or else the oldest) and the others kept theirs, each polled.
// Feeds whose URLs have one form on one list are one feed: the one whose
// URL is in that form (or the oldest, when none is) is the feed, each
// other is its duplicate, to be deleted. Feeds are few: all are read.
func (f *Feeds) duplicates(ctx context.Context) (map[int64]feedTwin, error) {
	rows, err := f.db.Read.QueryContext(ctx, `SELECT id, url, list_id FROM feeds ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find duplicate feeds: %w", err)
	}
	defer rows.Close()
	type key struct {
		list int64
		url  string
	}
	type row struct {
		id  int64
		url string
	}
	groups := map[key][]row{}
	var order []key
	for rows.Next() {
		var r row
		var list int64
		if err := rows.Scan(&r.id, &r.url, &list); err != nil {
			return nil, fmt.Errorf("find duplicate feeds: %w", err)
		}
		k := key{list, ArticleURL(r.url)}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find duplicate feeds: %w", err)
	}
	out := map[int64]feedTwin{}
	for _, k := range order {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		keep := g[0] // the oldest, rows being read by id
		for _, r := range g {
			if r.url == k.url {
				keep = r
				break
			}
		}
		for _, r := range g {
			if r.id != keep.id {
				out[r.id] = feedTwin(keep)
			}
		}
	}
	return out, nil
}

// markDuplicates sets DuplicateOf and DuplicateURL on each of feeds that
// is the same as another feed of its list (duplicates).
func (f *Feeds) markDuplicates(ctx context.Context, feeds ...*Feed) error {
	if len(feeds) == 0 {
		return nil
	}
	dups, err := f.duplicates(ctx)
	if err != nil {
		return err
	}
	for _, fd := range feeds {
		if t, ok := dups[fd.ID]; ok {
			id := t.id
			fd.DuplicateOf, fd.DuplicateURL = &id, t.url
		}
	}
	return nil
}

// WarnDuplicates logs a warning for each feed that is the same as another
// feed of its list (duplicates), polled twice until an admin deletes it:
// serve calls it at start, so that an upgrade past migration 098 says
// which feeds those are. It logs an error it meets, and returns nothing.
func (f *Feeds) WarnDuplicates(ctx context.Context) {
	dups, err := f.duplicates(ctx)
	if err != nil {
		f.log().Error("find duplicate feeds", "err", err)
		return
	}
	if len(dups) == 0 {
		return
	}
	rows, err := f.db.Read.QueryContext(ctx, `SELECT f.id, f.url, l.slug FROM feeds f JOIN lists l ON l.id = f.list_id ORDER BY f.id`)
	if err != nil {
		f.log().Error("find duplicate feeds", "err", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var url, slug string
		if err := rows.Scan(&id, &url, &slug); err != nil {
			f.log().Error("find duplicate feeds", "err", err)
			return
		}
		if t, ok := dups[id]; ok {
			f.log().Warn("feed is the same as another feed of its list, polled twice: delete it", "list", slug, "feed", id, "url", url,
				"duplicate_of", t.id, "duplicate_of_url", t.url)
		}
	}
	if err := rows.Err(); err != nil {
		f.log().Error("find duplicate feeds", "err", err)
	}
}
