package events_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
)

// SuppressionOf finds the entry that keeps mail from an address, its own
// before its domain's; SuppressedAmong answers for a page of addresses at
// once, by the same rule.
func TestSuppressionOfAndAmong(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.store.Suppress(ctx, "robin@spamtrap.test", events.ReasonComplaint, "ses"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Suppress(ctx, "spamtrap.test", events.ReasonManual, "admin"); err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{"Robin@SpamTrap.test": events.ReasonComplaint, "kai@spamtrap.test": events.ReasonManual, "kai@other.test": ""} {
		sp, err := e.store.SuppressionOf(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := ""; sp != nil {
			got = sp.Reason
			if got != want {
				t.Errorf("SuppressionOf(%s) = %+v, want reason %q", addr, sp, want)
			}
		} else if want != "" {
			t.Errorf("SuppressionOf(%s) = nil, want reason %q", addr, want)
		}
	}
	got, err := e.store.SuppressedAmong(ctx, []string{"Robin@SpamTrap.test", "kai@spamtrap.test", "kai@other.test"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"Robin@SpamTrap.test": true, "kai@spamtrap.test": true}, got); diff != "" {
		t.Errorf("SuppressedAmong (-want +got):\n%s", diff)
	}
}
