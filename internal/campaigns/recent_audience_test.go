package campaigns_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// The campaigns list counts its drafts' audiences together, in one pass
// over their lists' members; each draft's figure is still the one its own
// page counts, and the count by hand: readers once however many of the
// draft's lists they are on, confirmed ones only, with an active
// subscription, and not suppressed by address or by domain.
func TestListedAudiencesAreTheCampaignPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, b, c := e.addList(t, "a"), e.addList(t, "b"), e.addList(t, "c")
	gone := e.addList(t, "gone")
	e.addSubscriber(t, "both@example.com", "confirmed", a, b) // on two lists of a draft: once
	e.addSubscriber(t, "only-a@example.com", "confirmed", a, gone)
	e.addSubscriber(t, "b-and-c@example.com", "confirmed", b, c)
	e.addSubscriber(t, "pending@example.com", "pending", a, b, c)
	e.addSubscriber(t, "left@example.com", "unsubscribed", a, b, c)
	e.addSubscriber(t, "bounced@example.com", "bounced", a, b, c)
	e.addSubscriber(t, "suppressed@example.com", "confirmed", a, b, c)
	e.addSubscriber(t, "someone@blocked.example", "confirmed", a, b, c)
	e.exec(t, `INSERT INTO suppressions (target, reason, created_at) VALUES ('suppressed@example.com', 'complaint', ?), ('blocked.example', 'manual', ?)`,
		time.Now(), time.Now())
	// Left a, still on c; and asked for b, not confirmed yet.
	x := e.addSubscriber(t, "left-a@example.com", "confirmed", c)
	e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, 'unsubscribed', ?, ?), (?, ?, 'pending', ?, ?)`,
		x, a, time.Now(), time.Now(), x, b, time.Now(), time.Now())

	want := map[string]int{"a": 2, "b": 2, "c": 2, "a b": 3, "b c": 3, "a b c": 4, "": 0}
	ids := map[int64]string{}
	for _, lists := range []string{"a", "b", "a b", "b c", "a b c", "c", "a b"} {
		ids[e.create(t, strings.Fields(lists)...)] = lists
	}
	later := time.Now().Add(48 * time.Hour)
	scheduled := &campaigns.Campaign{Subject: "Later", Body: "Hi", Lists: []string{"c", "a"}, SendAt: &later}
	if err := e.svc.Schedule(ctx, scheduled); err != nil {
		t.Fatal(err)
	}
	ids[scheduled.ID] = "a c"
	want["a c"] = 4
	// A draft whose only list was deleted (as subscribers.DeleteList
	// does) has no list and no audience.
	ids[e.create(t, "gone")] = ""
	e.exec(t, `DELETE FROM campaign_lists WHERE list_id = ?`, gone)
	e.exec(t, `DELETE FROM lists WHERE id = ?`, gone)

	items, err := e.svc.Recent(ctx, "", 200)
	if err != nil || len(items) != len(ids) {
		t.Fatalf("Recent = %d campaigns, %v; want %d", len(items), err, len(ids))
	}
	listed, _, err := e.svc.List(ctx, 0, 50)
	if err != nil || len(listed) != len(ids) {
		t.Fatalf("List = %d campaigns, %v; want %d", len(listed), err, len(ids))
	}
	for i, it := range items {
		page, err := e.svc.Entry(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		api := listed[len(listed)-1-i] // oldest first
		lists := ids[it.ID]
		if it.Audience != page.Audience || api.Audience != page.Audience || page.Audience != want[lists] {
			t.Errorf("campaign to %q (%v): the list shows %d, the API's list %d, its page %d; want %d",
				lists, it.Lists, it.Audience, api.Audience, page.Audience, want[lists])
		}
	}
}

// A page whose drafts go to more lists than one pass tells apart (63)
// counts each set of lists on its own; at 63 the last list has the
// highest bit, and its readers count as any other's.
func TestListedAudiencesOfManyLists(t *testing.T) {
	for _, n := range []int{63, 64} {
		t.Run(fmt.Sprint(n, " lists"), func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			var slugs []string
			var ids []int64
			for i := range n {
				slugs = append(slugs, fmt.Sprintf("l%02d", i))
				ids = append(ids, e.addList(t, slugs[i]))
			}
			first, last := slugs[0], slugs[n-1]
			e.addSubscriber(t, "first@example.com", "confirmed", ids[0])
			e.addSubscriber(t, "last@example.com", "confirmed", ids[n-1])
			e.addSubscriber(t, "both@example.com", "confirmed", ids[0], ids[n-1])
			// The newest first in the list, so the draft to every list
			// gives each its bit in their order: the last list the 63rd.
			onlyFirst, onlyLast, all := e.create(t, first), e.create(t, last), e.create(t, slugs...)
			items, err := e.svc.Recent(ctx, "", 200)
			if err != nil || len(items) != 3 || len(items[0].Lists) != n {
				t.Fatalf("Recent = %v, %v; want 3 campaigns, the first to %d lists", items, err, n)
			}
			want := map[int64]int{all: 3, onlyLast: 2, onlyFirst: 2}
			for _, it := range items {
				if it.Audience != want[it.ID] {
					t.Errorf("campaign %d to %d lists (%s…): audience %d, want %d", it.ID, len(it.Lists), it.Lists[0], it.Audience, want[it.ID])
				}
			}
		})
	}
}
