package subscribers

import (
	"context"
	"strings"
	"testing"
)

// A line that says a reader is unsubscribed, with the lists they left,
// records those lists as left for a new reader (subStatus), and joins a
// stored confirmed reader to none of them: an import never starts mailing
// someone on a list the file says they unsubscribed from.
func TestImportUnsubscribedLineDoesNotJoinStoredReader(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ann, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	in := "email,lists,status\n" +
		"ann@example.com,staff,unsubscribed\n" +
		"bea@example.com,staff,unsubscribed\n"
	if _, err := s.Import(ctx, strings.NewReader(in), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var bea int64
	if err := s.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email_key = 'bea@example.com'`).Scan(&bea); err != nil {
		t.Fatal(err)
	}
	if got := subscriptionStatuses(t, s, bea)["staff"]; got != SubUnsubscribed {
		t.Fatalf("new reader's staff subscription is %q: the line's lists are lists left", got)
	}
	if got := subscriptionStatuses(t, s, ann.ID)["staff"]; got == SubActive {
		t.Errorf("stored confirmed reader is now %s on staff, from a line saying they are unsubscribed", got)
	}
}
