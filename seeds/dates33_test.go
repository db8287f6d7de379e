package seeds_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/seeds"
)

// A load with Now dates the sample articles it adds in the six days
// before it, the newest an hour before, in the files' order; a later load
// leaves the dates of the articles stored already as they are.
func TestLoadDatesTheArticlesRelativeToNow(t *testing.T) {
	l := loader(t)
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	l.Now = func() time.Time { return now }
	if _, err := l.Load(ctx, seeds.FS()); err != nil {
		t.Fatal(err)
	}
	stored := func() []time.Time {
		t.Helper()
		items, _, err := l.Articles.List(ctx, articles.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []time.Time
		for _, a := range items { // by id: the files' order, which is their dates'
			out = append(out, a.PublishedAt)
		}
		return out
	}
	first := stored()
	if len(first) != 12 {
		t.Fatalf("%d articles stored, want 12", len(first))
	}
	if !sort.SliceIsSorted(first, func(i, j int) bool { return first[i].Before(first[j]) }) {
		t.Errorf("the dates are not in the files' order: %v", first)
	}
	if want := now.Add(-time.Hour); !first[11].Equal(want) {
		t.Errorf("the newest article is dated %v, want %v", first[11], want)
	}
	if want := now.Add(-time.Hour - 6*24*time.Hour); !first[0].Equal(want) {
		t.Errorf("the oldest article is dated %v, want %v", first[0], want)
	}

	now = now.Add(30 * 24 * time.Hour)
	rep, err := l.Load(ctx, seeds.FS())
	if err != nil || rep.Articles != 0 {
		t.Fatalf("second load = %+v, %v; want no article added", rep, err)
	}
	if diff := cmp.Diff(first, stored()); diff != "" {
		t.Errorf("a second load changed the dates (-first +second):\n%s", diff)
	}
}
