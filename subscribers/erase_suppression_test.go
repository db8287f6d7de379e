package subscribers

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Erasing a reader leaves no suppression entry holding their address in
// clear text, and adds none: the keyed hash in erasures is what stays.
// A whole domain's entry is no one's personal data and stays.
func TestEraseLeavesNoAddressOnTheSuppressionList(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sub, err := s.Create(ctx, &NewSubscriber{Email: "Robin@Tidewater.test", Status: "confirmed", Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Write.Exec(`INSERT INTO suppressions (target, reason, source, created_at) VALUES
		('robin@tidewater.test', 'complaint', 'arf', '2026-11-01 00:00:00'), ('tidewater.test', 'manual', 'admin', '2026-11-01 00:00:00'),
		('kai@tidewater.test', 'bounce', 'dsn', '2026-11-01 00:00:00')`); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := s.db.Read.Query(`SELECT target || '/' || reason FROM suppressions ORDER BY target`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		rows.Scan(&v)
		got = append(got, v)
	}
	if diff := cmp.Diff([]string{"kai@tidewater.test/bounce", "tidewater.test/manual"}, got); diff != "" {
		t.Errorf("suppressions after erase (-want +got):\n%s", diff)
	}
}
