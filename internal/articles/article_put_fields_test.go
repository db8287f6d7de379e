package articles_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// An article given without its URL is refused with every field to fix in
// one answer, not the URL first and the title at the next try.
func TestPutWithoutURLNamesEveryFieldToFix(t *testing.T) {
	_, store := newFeedEnv(t)
	alt, title := "a photo\x00", "Bridge reopens"
	for _, tt := range []struct {
		name string
		p    articles.Patch
		want []string
	}{
		{"empty", articles.Patch{}, []string{"title", "url"}},
		{"titled", articles.Patch{Title: &title}, []string{"url"}},
		{"bad alt", articles.Patch{ImageAlt: &alt}, []string{"image_alt", "title", "url"}},
	} {
		_, _, err := store.Put(context.Background(), &tt.p)
		got := slices.Sorted(maps.Keys(bulletin.ErrorFields(err)))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: fields at fault (-want +got):\n%s", tt.name, diff)
		}
	}
}
