package admins_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Wrong passwords for one account, each from another address (as a
// trusted proxy's X-Forwarded-For can name them), lock the account out
// after MaxAccountFailures, known or not, and alike for both; the
// address the admin logged in from before keeps logging in, and another
// account is not locked.
func TestLoginLocksAnAccountGuessedFromManyAddresses(t *testing.T) {
	s, _ := lockoutStore(t)
	ctx := context.Background()
	if _, _, err := s.Login(ctx, "192.0.2.1", "ed@example.com", lockoutPassword); err != nil {
		t.Fatalf("the admin's own login: %v", err)
	}
	if _, err := s.SetAdmin(ctx, "flo@example.com", lockoutPassword); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"ed@example.com", "nobody@example.com"} {
		for i := 1; i <= admins.MaxAccountFailures; i++ {
			addr := fmt.Sprintf("198.51.100.%d", i)
			if email == "nobody@example.com" {
				addr = fmt.Sprintf("203.0.113.%d", i)
			}
			if _, _, err := s.Login(ctx, addr, email, "wrong password"); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
				t.Fatalf("wrong password %d for %s from %s: %v, want unauthorized", i, email, addr, err)
			}
		}
	}
	for _, email := range []string{"ed@example.com", " ED@example.com", "nobody@example.com"} {
		if _, _, err := s.Login(ctx, "198.51.100.200", email, lockoutPassword); !errors.Is(err, admins.ErrLocked) {
			t.Errorf("%q from a new address after %d wrong passwords from others: %v, want ErrLocked",
				email, admins.MaxAccountFailures, err)
		}
	}
	if _, _, err := s.Login(ctx, "192.0.2.1", "ed@example.com", lockoutPassword); err != nil {
		t.Errorf("the admin from the address they logged in from: %v", err)
	}
	if _, _, err := s.Login(ctx, "198.51.100.201", "flo@example.com", lockoutPassword); err != nil {
		t.Errorf("another admin: %v", err)
	}
}
