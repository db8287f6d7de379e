package subscribers

import (
	"context"
	"testing"
)

// createLeft adds n, whose status is unsubscribed, as a reader who left
// its lists: added pending on them, then unsubscribed, which ends every
// subscription. Create refuses lists with that status, as Update does.
func createLeft(t testing.TB, s *Store, n *NewSubscriber) *Subscriber {
	t.Helper()
	ctx := context.Background()
	status := n.Status
	n.Status = StatusPending
	sub, err := s.Create(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if sub, err = s.Update(ctx, sub.ID, &Patch{Status: &status}); err != nil {
		t.Fatal(err)
	}
	return sub
}
