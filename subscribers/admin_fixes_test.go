package subscribers

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A headerless file without a lists column needs a list to be chosen,
// also when its first line is malformed CSV: the check used to be skipped
// then (the loop's "first" was spent on the parse error), and every other
// row was imported onto no list at all.
func TestImportMalformedFirstLineStillNeedsAList(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	rep, err := s.Import(ctx, strings.NewReader("a\"b@example.com,A\nc@example.com,C\nd@example.com,D\n"), ImportOptions{Confirmed: true})
	if err == nil {
		t.Errorf("import without a list or lists column succeeded: %+v", rep)
		for _, addr := range []string{"c@example.com", "d@example.com"} {
			var n int
			s.db.Read.QueryRow(`SELECT COUNT(*) FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id WHERE s.email_key = ?`, addr).Scan(&n)
			t.Logf("%s imported on %d lists", addr, n)
		}
	}
}

// Create refuses an erased address ("erasure is not undone by an admin's
// typing"), and so does Update: it used to let an admin give any reader
// that address.
func TestUpdateRefusesAnErasedAddress(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	gone, err := s.Create(ctx, &NewSubscriber{Email: "gone@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, &NewSubscriber{Email: "gone@example.com"}); err == nil {
		t.Fatal("Create took an erased address")
	}
	other, err := s.Create(ctx, &NewSubscriber{Email: "other@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	addr := "gone@example.com"
	if got, err := s.Update(ctx, other.ID, &Patch{Email: &addr}); err == nil {
		t.Errorf("Update gave reader %d the erased address %s (status %s)", got.ID, got.Email, got.Status)
	}
	// Once its owner has signed up again, the conflict to name is the
	// subscriber who has it, not the erasure.
	lists, err := s.resolveLists(ctx, []string{"news"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := insertPending(ctx, tx, &Signup{Email: "gone@example.com"}, lists, sqlite.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(ctx, &NewSubscriber{Email: "gone@example.com"})
	if msg := bulletin.ErrorMessage(err); bulletin.ErrorCode(err) != bulletin.ECONFLICT || !strings.Contains(msg, "exists already") {
		t.Errorf("Create of an address signed up again after its erasure: %v, want the subscriber who has it named", err)
	}
	_, err = s.Update(ctx, other.ID, &Patch{Email: &addr})
	if msg := bulletin.ErrorMessage(err); bulletin.ErrorCode(err) != bulletin.ECONFLICT || !strings.Contains(msg, "Another subscriber") {
		t.Errorf("Update to an address signed up again after its erasure: %v, want the subscriber who has it named", err)
	}
}

// When an admin corrects a pending reader's address, the confirmation
// link mailed to the old address no longer confirms the reader: it used
// to, and the new mailbox was confirmed by someone else's click.
func TestOldAddressLinkDoesNotConfirmAChangedAddress(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	e.signup(&Signup{Email: "typo@example.com", Lists: []string{"news"}})
	_, token := e.takeMail("typo@example.com")
	if token == "" {
		t.Fatal("no confirmation mail")
	}
	var id int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email_key = 'typo@example.com'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	addr := "right@example.com"
	if _, err := e.store.Update(ctx, id, &Patch{Email: &addr}); err != nil {
		t.Fatal(err)
	}
	if sub, err := e.click(token); err == nil && sub.Status == StatusConfirmed {
		t.Errorf("the link mailed to typo@example.com confirmed %s", sub.Email)
	}
}
