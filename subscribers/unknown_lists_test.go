package subscribers

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// TestUnknownListsNamesWhatCreateWould: UnknownLists matches slugs as a
// create does (trimmed, in any case, private lists too) and names the
// unknown ones once each, in the same words.
func TestUnknownListsNamesWhatCreateWould(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	for _, c := range []struct {
		slugs []string
		want  string
	}{
		{[]string{" news ", "STAFF", ""}, ""},
		{[]string{"nope"}, `there is no list "nope"`},
		{[]string{"Nope", "news", "nope", " nada "}, `there are no lists "Nope" and "nada"`},
	} {
		err := store.UnknownLists(ctx, c.slugs)
		got := bulletin.ErrorFields(err)["lists"]
		if got != c.want || (c.want == "" && err != nil) {
			t.Errorf("UnknownLists(%q) = %v, want lists %q", c.slugs, err, c.want)
		}
		if c.want == "" {
			continue
		}
		_, cerr := store.Create(ctx, &NewSubscriber{Email: "ann@example.com", Lists: c.slugs})
		if cw := bulletin.ErrorFields(cerr)["lists"]; cw != c.want {
			t.Errorf("Create with %q: lists %q, UnknownLists says %q", c.slugs, cw, c.want)
		}
	}
}
