package admins_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// store is a Store on a new database, hashing at bcrypt's lowest cost:
// TestPasswordsAreHashedAtTheDefaultCost checks the cost a real store uses.
func store(t *testing.T) (*admins.Store, *sqlite.DB) {
	t.Helper()
	db := sqlitetest.Open(t)
	s := admins.NewStore(db)
	s.Cost = bcrypt.MinCost
	return s, db
}

func TestTokensAreStoredOnlyAsHashes(t *testing.T) {
	s, db := store(t)
	ctx := context.Background()
	secret, err := s.CreateToken(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := db.Read.QueryRow(`SELECT token_hash FROM api_tokens`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, secret) || strings.Contains(stored, strings.TrimPrefix(secret, "bt_")) {
		t.Error("the token secret is stored in the clear")
	}
	for tok, want := range map[string]bool{secret: true, secret + "x": false, "bt_" + strings.Repeat("a", 43): false, "": false, stored: false} {
		if ok, err := s.CheckToken(ctx, tok); err != nil || ok != want {
			t.Errorf("CheckToken(%q) = %v, %v; want %v", tok, ok, err, want)
		}
	}
	if _, err := s.CreateToken(ctx, "  "); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("a blank name gave %v", err)
	}
	// The admin page's form as much as the command line: a name is one
	// line of the token lists.
	for _, name := range []string{"ci\nfake  never", "esc\x1b[2J", "c1\u0085"} {
		if _, err := s.CreateToken(ctx, name); bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("CreateToken(%q) gave %v, want a validation error", name, err)
		}
	}
}

func TestSetAdminValidatesAndResets(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	for _, tc := range []struct{ email, password string }{
		{"not-an-address", "long enough password"},
		{"Ed <ed@example.com>", "long enough password"},
		{"ed@example.com", "short"},
		{"ed@example.com", strings.Repeat("x", 73)},
	} {
		if _, err := s.SetAdmin(ctx, tc.email, tc.password); bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("SetAdmin(%q, %d chars) = %v, want a validation error", tc.email, len(tc.password), err)
		}
	}
	if created, err := s.SetAdmin(ctx, "ed@example.com", "first password!"); err != nil || !created {
		t.Fatalf("create = %v, %v", created, err)
	}
	if created, err := s.SetAdmin(ctx, "ed@example.com", "second password!"); err != nil || created {
		t.Fatalf("reset = %v, %v", created, err)
	}
	if _, _, err := s.Login(ctx, "127.0.0.1", "ed@example.com", "first password!"); err == nil {
		t.Error("the old password still logs in")
	}
	secret, sess, err := s.Login(ctx, "127.0.0.1", "ed@example.com", "second password!")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, secret)
	if err != nil || got.AdminID != sess.AdminID || !got.ValidCSRF(sess.CSRF) || got.ValidCSRF("") || got.ValidCSRF("x") {
		t.Errorf("Session = %+v, %v", got, err)
	}
	if err := s.Logout(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, secret); err == nil {
		t.Error("the session outlived its logout")
	}
}

// The lockout is per address: another address still logs in, and an
// unknown email counts as a failure like a wrong password.
func TestLockoutIsPerAddress(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	if _, err := s.SetAdmin(ctx, "ed@example.com", "right password!"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < admins.MaxFailures; i++ {
		if _, _, err := s.Login(ctx, "192.0.2.1", "nobody@example.com", "guess"); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, _, err := s.Login(ctx, "192.0.2.1", "ed@example.com", "right password!"); !errors.Is(err, admins.ErrLocked) {
		t.Errorf("locked address logged in: %v", err)
	}
	if _, _, err := s.Login(ctx, "192.0.2.2", "ed@example.com", "right password!"); err != nil {
		t.Errorf("another address is locked too: %v", err)
	}
}
