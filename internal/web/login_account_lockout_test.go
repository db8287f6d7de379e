package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
)

// Wrong passwords for one account, each from another address named in
// X-Forwarded-For by the loopback proxy, lock the account out: the right
// password from a new address is then refused with 429, as an email that
// names no admin is after as many. The address the admin logged in from
// before still logs in. Each wrong password passed the per-address
// lockout.
func TestLoginLocksAnAccountGuessedFromManyForwardedAddresses(t *testing.T) {
	_, a := newAdminServer(t)
	a.login("correct horse battery") // from loopback: an address of the admin's
	for i := 1; i <= admins.MaxAccountFailures+10; i++ {
		for _, email := range []string{"editor@example.com", "nobody@example.com"} {
			code := a.postLogin(fmt.Sprintf("198.51.%d.%d", len(email), i), email, "wrong horse")
			if i <= admins.MaxAccountFailures && code != http.StatusUnauthorized {
				t.Fatalf("wrong password %d for %s = %d, want 401", i, email, code)
			}
			if i > admins.MaxAccountFailures && code != http.StatusTooManyRequests {
				t.Fatalf("wrong password %d for %s = %d, want 429", i, email, code)
			}
		}
	}
	if code := a.postLogin("203.0.113.7", "editor@example.com", "correct horse battery"); code != http.StatusTooManyRequests {
		t.Errorf("the right password from a new address after %d wrong ones from others = %d, want 429", admins.MaxAccountFailures+10, code)
	}
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the admin from their own address = %d, want 303", resp.StatusCode)
	}
}
