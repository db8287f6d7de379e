package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A reader's address changed after their old one bounced: the old
// address's suppression entry is about them, so their export shows it and
// their erasure removes it, leaving its keyed hash. An address that one
// of their events names but that is another reader's now is not theirs
// to export or erase.
func TestEarlierAddressesSuppressionIsExportedAndErased(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	robin, err := s.Create(ctx, &NewSubscriber{Email: "Robin@Old.test", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, &NewSubscriber{Email: "kai@old.test", Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	addEvent(t, s, "e1", "bounce_hard", robin.ID, "robin@old.test", at)
	addEvent(t, s, "e2", "bounce_soft", robin.ID, "kai@old.test", at) // a report naming someone else
	if _, err := s.db.Write.Exec(`INSERT INTO suppressions (target, reason, source, note, created_at) VALUES
		('robin@old.test', 'bounce', 'dsn', '550 5.1.1 no such user', ?), ('kai@old.test', 'complaint', 'arf', '', ?)`, at, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, robin.ID, &Patch{Email: ptr("robin@new.test")}); err != nil {
		t.Fatal(err)
	}

	x, err := s.ExportOf(ctx, robin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if x.Suppression != nil {
		t.Errorf("the new address has a suppression: %+v", x.Suppression)
	}
	want := []ExportSuppression{{Address: "robin@old.test", Reason: "bounce", Source: "dsn", Note: "550 5.1.1 no such user", CreatedAt: at}}
	if diff := cmp.Diff(want, x.EarlierSuppressions); diff != "" {
		t.Errorf("earlier addresses' suppressions (-want +got):\n%s", diff)
	}

	if err := s.Erase(ctx, robin.ID); err != nil {
		t.Fatal(err)
	}
	left, err := sqlite.Column[string](s.db.Read.Query(`SELECT target FROM suppressions ORDER BY target`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"kai@old.test"}, left); diff != "" {
		t.Errorf("suppressions after the erasure (-want +got):\n%s", diff)
	}
	for _, addr := range []string{"robin@new.test", "robin@old.test"} {
		var n int
		if err := s.db.Read.QueryRow(`SELECT COUNT(*) FROM erasures WHERE email_hash = ?`, s.EmailHash(addr)).Scan(&n); err != nil || n != 1 {
			t.Errorf("erasures hold %d hashes of %s (%v), want 1", n, addr, err)
		}
	}
	var n int
	if err := s.db.Read.QueryRow(`SELECT COUNT(*) FROM erasures WHERE email_hash = ?`, s.EmailHash("kai@old.test")).Scan(&n); err != nil || n != 0 {
		t.Errorf("erasures hold %d hashes of another reader's address (%v)", n, err)
	}
}
