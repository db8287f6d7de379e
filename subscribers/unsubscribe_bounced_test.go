package subscribers

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// subscriber.unsubscribed comes when a reader's status becomes
// unsubscribed (the OpenAPI document's WebhookEvents). A bounced reader
// still on their lists (a bounce ends none) who leaves them by a mail's
// link stays bounced: that is subscriber.updated, their lists empty, and
// a second click says nothing. A confirmed or pending reader who leaves
// is still subscriber.unsubscribed.
func TestUnsubscribeOfABouncedReaderIsAnUpdate(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(s.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	news, err := s.ListBySlug(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	add := func(email, status string) int64 {
		t.Helper()
		sub, err := s.Create(ctx, &NewSubscriber{Email: email, Status: StatusConfirmed, Lists: []string{"news", "staff"}})
		if err != nil {
			t.Fatal(err)
		}
		// As a bounce (events.bounceTx) or a pending signup leaves them.
		if _, err := s.db.Write.Exec(`UPDATE subscribers SET status = ? WHERE id = ?`, status, sub.ID); err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	bounced := add("dead@example.com", StatusBounced)
	bouncedByList := add("dead.too@example.com", StatusBounced)
	confirmed := add("ann@example.com", StatusConfirmed)
	pending := add("bob@example.com", StatusPending)
	var start int64
	if err := s.db.Read.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM webhook_events`).Scan(&start); err != nil {
		t.Fatal(err)
	}

	for range 2 { // the second time changes nothing and says nothing
		for _, id := range []int64{bounced, confirmed, pending} {
			if err := s.Unsubscribe(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		// The one-click link of a list's mail: a bounced reader gets no
		// other list's mail, so it leaves everything (Unsubscribe).
		if err := s.LeaveList(ctx, bouncedByList, news.ID); err != nil {
			t.Fatal(err)
		}
	}

	type sent struct{ Type, Email, Status, Lists string }
	rows, err := s.db.Read.Query(`SELECT type, json_extract(body, '$.data.email'), json_extract(body, '$.data.status'),
		json_extract(body, '$.data.lists') FROM webhook_events WHERE id > ? ORDER BY id`, start)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []sent
	for rows.Next() {
		var e sent
		if err := rows.Scan(&e.Type, &e.Email, &e.Status, &e.Lists); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []sent{
		{hooks.SubscriberUpdated, "dead@example.com", StatusBounced, "[]"},
		{hooks.SubscriberUnsubscribed, "ann@example.com", StatusUnsubscribed, "[]"},
		{hooks.SubscriberUnsubscribed, "bob@example.com", StatusUnsubscribed, "[]"},
		{hooks.SubscriberUpdated, "dead.too@example.com", StatusBounced, "[]"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("webhook events (-want +got):\n%s", diff)
	}
	for id, want := range map[int64]string{bounced: StatusBounced, bouncedByList: StatusBounced, confirmed: StatusUnsubscribed, pending: StatusUnsubscribed} {
		sub, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Status != want || len(sub.Lists) != 0 {
			t.Errorf("%s: status %s on %q, want %s on no list", sub.Email, sub.Status, sub.Lists, want)
		}
	}
}
