package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// waitingOf is, by slug, whether each list PreferencesOf offers reader
// id waits for their confirmation.
func waitingOf(t *testing.T, s *Store, id int64) map[string]bool {
	t.Helper()
	_, choices, err := s.PreferencesOf(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, c := range choices {
		out[c.Slug] = c.Waiting
	}
	return out
}

// A list a reader asked for by a signup, whose mailed link still works,
// waits for their click: the preferences page can say so beside it,
// where it looked like any list they never asked for. A list they are on
// waits for nothing, nor does one whose link has expired, nor any for a
// bounced reader, whose link adds nothing.
func TestPreferencesOfSaysWhichListsWaitForAClick(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, l := range []*List{{Slug: "daily", Name: "Daily News", Public: true}, {Slug: "culture", Name: "Weekend Culture", Public: true}} {
		if err := s.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	ann, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.org", Status: StatusConfirmed, Lists: []string{"culture"}})
	if err != nil {
		t.Fatal(err)
	}
	signups := NewSignups(s, &taskQueue{}, nil)
	for _, in := range []*Signup{
		{Email: "ann@example.org", Lists: []string{"daily", "culture"}},
		{Email: "bo@example.org", Lists: []string{"news"}},  // new: pending on news
		{Email: "bo@example.org", Lists: []string{"daily"}}, // within ConfirmInterval: held in the request
	} {
		if err := signups.Signup(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	signups.Close()
	bo, err := s.ByEmail(ctx, "bo@example.org")
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]bool{"news": false, "daily": true, "culture": false}
	if diff := cmp.Diff(want, waitingOf(t, s, ann.ID)); diff != "" {
		t.Errorf("a confirmed reader who asked for Daily News (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, waitingOf(t, s, bo.ID)); diff != "" {
		t.Errorf("a pending reader on News who asked for Daily News since (-want +got):\n%s", diff)
	}

	// Ticked and saved, the list is joined: it waits no more.
	if err := s.SetPreferences(ctx, ann.ID, Preferences{Frequency: "daily", Lists: []string{"culture", "daily"}}); err != nil {
		t.Fatal(err)
	}
	if got := waitingOf(t, s, ann.ID); got["daily"] {
		t.Errorf("Daily News, joined, still waits: %v", got)
	}

	if _, err := s.db.Write.Exec(`UPDATE subscribers SET status = 'bounced' WHERE id = ?`, bo.ID); err != nil {
		t.Fatal(err)
	}
	if got := waitingOf(t, s, bo.ID); got["daily"] {
		t.Errorf("a bounced reader's list waits: %v", got)
	}
	if _, err := s.db.Write.Exec(`UPDATE subscribers SET status = 'pending' WHERE id = ?`, bo.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Write.Exec(`UPDATE signup_requests SET requested_at = ? WHERE subscriber_id = ?`,
		time.Now().Add(-ConfirmTTL-time.Minute).UTC(), bo.ID); err != nil {
		t.Fatal(err)
	}
	if got := waitingOf(t, s, bo.ID); got["daily"] {
		t.Errorf("a list whose link has expired waits: %v", got)
	}
}

// JoinsAtOnce says what SetPreferences does with a list ticked: it
// joins it at once for a reader who confirmed their address, even one
// who unsubscribed since, and leaves it pending for the others.
func TestJoinsAtOnceIsWhatSavingDoes(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	reader := func(email, status string, then func(id int64)) *Subscriber {
		t.Helper()
		sub, err := s.Create(ctx, &NewSubscriber{Email: email, Status: status, Lists: []string{"staff"}})
		if err != nil {
			t.Fatal(err)
		}
		if then != nil {
			then(sub.ID)
		}
		if sub, err = s.Get(ctx, sub.ID); err != nil {
			t.Fatal(err)
		}
		return sub
	}
	unsubscribe := func(id int64) {
		if err := s.Unsubscribe(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	bounce := func(id int64) {
		if _, err := s.db.Write.Exec(`UPDATE subscribers SET status = 'bounced' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		sub  *Subscriber
		want bool
	}{
		{"confirmed", reader("a@example.org", StatusConfirmed, nil), true},
		{"pending", reader("b@example.org", StatusPending, nil), false},
		{"unsubscribed after confirming", reader("c@example.org", StatusConfirmed, unsubscribe), true},
		{"unsubscribed never confirmed", reader("d@example.org", StatusPending, unsubscribe), false},
		{"bounced", reader("e@example.org", StatusConfirmed, bounce), false},
	} {
		if got := tc.sub.JoinsAtOnce(); got != tc.want {
			t.Errorf("%s: JoinsAtOnce() = %v, want %v", tc.name, got, tc.want)
		}
		if err := s.SetPreferences(ctx, tc.sub.ID, Preferences{Frequency: "daily", Lists: []string{"news"}, Shown: []string{"news"}}); err != nil {
			t.Fatal(err)
		}
		var status string
		if err := s.db.Read.QueryRow(`SELECT x.status FROM subscriptions x JOIN lists l ON l.id = x.list_id
			WHERE x.subscriber_id = ? AND l.slug = 'news'`, tc.sub.ID).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if joined := status == SubActive; joined != tc.sub.JoinsAtOnce() {
			t.Errorf("%s: News ticked and saved is %s, yet JoinsAtOnce() = %v", tc.name, status, tc.sub.JoinsAtOnce())
		}
	}
}
