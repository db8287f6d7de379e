package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The erase hook is told, once the erasure is committed, of the erased
// reader's address and of those they had before (the ones the erasure
// takes off the suppression list), and of nothing when there was no one
// to erase: serve removes their mail from the outbox with it.
func TestEraseHookIsToldTheirAddressesOnceCommitted(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	robin, err := s.Create(ctx, &NewSubscriber{Email: "Robin@Old.test", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	addEvent(t, s, "e1", "bounce_hard", robin.ID, "robin@old.test", time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	if _, err := s.Update(ctx, robin.ID, &Patch{Email: ptr("robin@new.test")}); err != nil {
		t.Fatal(err)
	}
	var told [][]string
	s.SetEraseHook(func(ctx context.Context, addrs []string) {
		var n int
		if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscribers WHERE id = ?`, robin.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("the hook ran before the erasure was committed: %d rows, %v", n, err)
		}
		told = append(told, addrs)
	})
	if err := s.Erase(ctx, robin.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, robin.ID); err == nil {
		t.Error("erasing them twice worked")
	}
	if diff := cmp.Diff([][]string{{"robin@new.test", "robin@old.test"}}, told); diff != "" {
		t.Errorf("the hook was told (-want +got):\n%s", diff)
	}
}
