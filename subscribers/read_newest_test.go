package subscribers

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Newest pages by when readers joined, newest first, ties by id, with
// the filter's total; a reader erased between two pages (the very one the
// cursor names) makes no other reader skipped or shown twice.
func TestNewestPagesNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	// Readers 1 to 7 joined on the days below (an import keeps its
	// file's times), 4 and 5 at the same time.
	joined := []string{"2026-03-01", "2026-05-01", "2026-01-01", "2026-04-01", "2026-04-01", "2026-06-01", "2026-02-01"}
	var made []int64
	for i := 1; i <= 7; i++ {
		lists := []string{"news"}
		if i%2 == 0 {
			lists = []string{"staff"}
		}
		sub, err := s.Create(ctx, &NewSubscriber{Email: fmt.Sprintf("r%d@example.com", i), Lists: lists})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Write.Exec(`UPDATE subscribers SET created_at = ? WHERE id = ?`, joined[i-1]+" 09:00:00+00:00", sub.ID); err != nil {
			t.Fatal(err)
		}
		made = append(made, sub.ID)
	}
	id := func(n int) int64 { return made[n-1] }
	at := func(n int) *Cursor { return &Cursor{ID: id(n), At: joined[n-1] + " 09:00:00+00:00"} }
	type page struct {
		IDs          []int64
		Total        int
		Older, Newer *Cursor
	}
	get := func(f Filter, before, after *Cursor) page {
		t.Helper()
		f.Limit = 3
		var b, a Cursor
		if before != nil {
			b = *before
		}
		if after != nil {
			a = *after
		}
		p, err := s.Newest(ctx, f, b, a)
		if err != nil {
			t.Fatal(err)
		}
		out := page{Total: p.Total, Older: p.Older, Newer: p.Newer, IDs: []int64{}}
		for _, sub := range p.Items {
			out.IDs = append(out.IDs, sub.ID)
		}
		return out
	}
	check := func(what string, want, got page) {
		t.Helper()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", what, diff)
		}
	}

	// Newest first: 6, 2, 5, 4, 1, 7, 3.
	first := get(Filter{}, nil, nil)
	check("first page", page{IDs: []int64{id(6), id(2), id(5)}, Total: 7, Older: at(5)}, first)
	if err := s.Erase(ctx, id(5)); err != nil {
		t.Fatal(err)
	}
	second := get(Filter{}, first.Older, nil)
	check("second page, the cursor's reader erased", page{IDs: []int64{id(4), id(1), id(7)}, Total: 6, Older: at(7), Newer: at(4)}, second)
	check("last page", page{IDs: []int64{id(3)}, Total: 6, Newer: at(3)}, get(Filter{}, second.Older, nil))
	check("newer than reader 3", page{IDs: []int64{id(4), id(1), id(7)}, Total: 6, Older: at(7), Newer: at(4)}, get(Filter{}, nil, at(3)))
	// Fewer than a page newer than reader 4: the first page instead.
	check("newer than reader 4", page{IDs: []int64{id(6), id(2), id(4)}, Total: 6, Older: at(4)}, get(Filter{}, nil, at(4)))
	// A cursor of an id alone is placed where that reader is.
	check("older than reader 2 by id", page{IDs: []int64{id(4), id(1), id(7)}, Total: 6, Older: at(7), Newer: at(4)}, get(Filter{}, &Cursor{ID: id(2)}, nil))
	check("the news list", page{IDs: []int64{id(1), id(7), id(3)}, Total: 3}, get(Filter{List: "news"}, nil, nil))
	check("a search", page{IDs: []int64{id(6)}, Total: 1}, get(Filter{Q: "R6@"}, nil, nil))
	if _, err := s.Newest(ctx, Filter{Status: "gone"}, Cursor{}, Cursor{}); err == nil {
		t.Error("an unknown status was not refused")
	}
}
