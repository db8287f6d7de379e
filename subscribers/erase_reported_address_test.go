package subscribers

import (
	"context"
	"testing"
	"time"
)

// After an editor moved a reader to a new address, a report about mail to
// the old one names whatever its sender wrote (events.oldAddressTx takes
// any address that is no reader's now, e.g. a forwarding target, or one an
// attacker holding the old mailbox chose). Erasing the reader must not
// take that address for theirs: not delete that third party's own
// suppression entry (here a manual "never mail" one), nor put its hash in
// erasures, which would refuse imports and admin adds of that person.
func TestEraseKeepsSuppressionOfAddressAReportNamed(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	robin, err := s.Create(ctx, &NewSubscriber{Email: "robin@old.test", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	if _, err := s.db.Write.Exec(`INSERT INTO suppressions (target, reason, source, note, created_at) VALUES
		('stranger@else.test', 'manual', 'api', 'asked never to be mailed', ?)`, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, robin.ID, &Patch{Email: ptr("robin@new.test")}); err != nil {
		t.Fatal(err)
	}
	// A hard bounce, recorded since, of a campaign mailed to
	// robin@old.test, whose DSN's Final-Recipient names
	// stranger@else.test, stored under Robin's id.
	addEvent(t, s, "e1", "bounce_hard", robin.ID, "stranger@else.test", time.Now().Add(time.Minute))

	if err := s.Erase(ctx, robin.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.Read.QueryRow(`SELECT COUNT(*) FROM suppressions WHERE target = 'stranger@else.test'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("erasing Robin deleted the manual suppression of stranger@else.test, an address only a report named")
	}
	if err := s.db.Read.QueryRow(`SELECT COUNT(*) FROM erasures WHERE email_hash = ?`, s.EmailHash("stranger@else.test")).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("erasing Robin marked stranger@else.test as erased")
	}
}
