package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// TestListTracking: a list tracks clicks anonymously and no opens unless
// told otherwise; the API's and the form's patches change both, and a
// mode that is not one of the three is refused with the allowed values.
func TestListTracking(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	type mode struct {
		Tracking string
		Opens    bool
	}
	read := func(slug string) mode {
		t.Helper()
		l, err := s.ListBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return mode{l.Tracking, l.Opens}
	}
	if diff := cmp.Diff(mode{"anonymous", false}, read("news")); diff != "" {
		t.Errorf("a new list (-want +got):\n%s", diff)
	}
	on, yes := "on", true
	l, err := s.UpdateList(ctx, "news", &ListPatch{Tracking: &on, Opens: &yes})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mode{"on", true}, mode{l.Tracking, l.Opens}); diff != "" {
		t.Errorf("UpdateList answers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(mode{"on", true}, read("news")); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	off := " OFF "
	if _, err := s.UpdateList(ctx, "news", &ListPatch{Tracking: &off}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mode{"off", true}, read("news")); diff != "" {
		t.Errorf("after tracking off (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"yes", "full", "true"} {
		_, err := s.UpdateList(ctx, "news", &ListPatch{Tracking: &bad})
		why := bulletin.ErrorFields(err)["tracking"]
		if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(why, "off, anonymous or on") {
			t.Errorf("tracking %q: %v (tracking: %q), want a validation error naming off, anonymous or on", bad, err, why)
		}
	}
	nl := NewList(&ListPatch{})
	if nl.Tracking != "anonymous" || nl.Opens {
		t.Errorf("NewList = tracking %q, opens %t; want anonymous, false", nl.Tracking, nl.Opens)
	}
	created := &List{Slug: "quiet", Name: "Quiet", Tracking: "off"}
	if err := s.CreateList(ctx, created); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mode{"off", false}, read("quiet")); diff != "" {
		t.Errorf("created off (-want +got):\n%s", diff)
	}
}
