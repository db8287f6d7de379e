package subscribers

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// An import dated every new row's confirm_sent_at, though it mails only
// its pending readers: a confirmed reader imported and signing up for
// another list minutes later had their confirmation held back for
// ConfirmInterval, as if a mail had just gone, and one signing up again
// for their own list never got the already-subscribed mail in time. Only
// the pending row is dated now, and the others' signups are mailed at
// once.
func TestImportDatesOnlyTheConfirmationItMails(t *testing.T) {
	ctx := context.Background()
	e := newSignupEnv(t)
	csv := "email,status\nkept@example.com,confirmed\nleft@example.com,unsubscribed\nnew@example.com,pending\n"
	if _, err := e.store.Import(ctx, strings.NewReader(csv), ImportOptions{List: "news", Confirmed: true, Confirms: e.q}); err != nil {
		t.Fatal(err)
	}
	e.sendQueued()
	for addr, dated := range map[string]bool{"kept@example.com": false, "left@example.com": false, "new@example.com": true} {
		var sent sql.NullTime
		if err := e.store.db.Read.QueryRow(`SELECT confirm_sent_at FROM subscribers WHERE email = ?`, addr).Scan(&sent); err != nil {
			t.Fatal(err)
		}
		if sent.Valid != dated {
			t.Errorf("%s: confirm_sent_at set %v (%v) after the import, want %v: only a pending reader is mailed", addr, sent.Valid, sent.Time, dated)
		}
	}
	if _, ok := e.box["new@example.com"]; !ok {
		t.Error("the pending reader imported was not mailed a confirmation")
	}
	for _, addr := range []string{"kept@example.com", "left@example.com"} {
		if _, ok := e.box[addr]; ok {
			t.Errorf("the import mailed %s, who is not pending", addr)
		}
	}

	// Their signups, minutes after the import, are answered at once.
	e.signup(&Signup{Email: "kept@example.com", Lists: []string{"sport"}})
	e.signup(&Signup{Email: "left@example.com", Lists: []string{"news"}})
	for _, addr := range []string{"kept@example.com", "left@example.com"} {
		if _, ok := e.box[addr]; !ok {
			t.Errorf("%s signed up after the import and was not mailed at once", addr)
		}
	}
}
