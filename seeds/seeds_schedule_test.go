package seeds_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/seeds"
)

// A seeded list says when it goes out in its description; its schedule
// must agree: "Weekend Culture — A Saturday letter…" goes out on
// Saturdays, not on the Monday a weekly list without a weekday gets.
func TestSeededScheduleMatchesDescription(t *testing.T) {
	l := loader(t)
	ctx := context.Background()
	if _, err := l.Load(ctx, seeds.FS()); err != nil {
		t.Fatal(err)
	}
	lists, err := l.Subscribers.Lists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, li := range lists {
		got[li.Slug] = li.Digest
		if li.Digest == "weekly" {
			got[li.Slug] += " on " + li.DigestWeekday
		}
		for _, day := range []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"} {
			if strings.Contains(li.Description, day) && li.Digest == "weekly" && !strings.EqualFold(li.DigestWeekday, day) {
				t.Errorf("list %s: the description names %s, the digest goes out on %s", li.Slug, day, li.DigestWeekday)
			}
		}
	}
	want := map[string]string{"daily-news": "daily", "weekend-culture": "weekly on saturday", "editors-desk": "off"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("seeded schedules (-want +got):\n%s", diff)
	}
}
