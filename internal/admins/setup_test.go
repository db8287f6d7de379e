package admins_test

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// TestCreateFirstAdminOnlyOnce: the first admin is made once; after that,
// setup is a conflict, whoever asks.
func TestCreateFirstAdminOnlyOnce(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	if has, err := s.HasAdmin(ctx); err != nil || has {
		t.Fatalf("HasAdmin on an empty install = %v, %v", has, err)
	}
	secret, sess, err := s.CreateFirstAdmin(ctx, "ann@example.com", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, secret); err != nil || got.Email != "ann@example.com" || got.AdminID != sess.AdminID {
		t.Errorf("session of the first admin = %+v, %v", got, err)
	}
	if has, err := s.HasAdmin(ctx); err != nil || !has {
		t.Errorf("HasAdmin after setup = %v, %v", has, err)
	}
	_, _, err = s.CreateFirstAdmin(ctx, "bob@example.com", "another passphrase")
	if bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("second first admin: err = %v, want a conflict", err)
	}
}

func TestValidateNewAdminNamesEachField(t *testing.T) {
	err := admins.ValidateNewAdmin("not an address", "short")
	f := bulletin.ErrorFields(err)
	if f["email"] == "" || f["password"] == "" {
		t.Errorf("ValidateNewAdmin fields = %v, want email and password", f)
	}
	if err := admins.ValidateNewAdmin("ann@example.com", "a long passphrase"); err != nil {
		t.Errorf("ValidateNewAdmin of good fields = %v", err)
	}
}

func TestTrySetupCodeCountsWrongCodes(t *testing.T) {
	s, db := store(t)
	ctx := context.Background()
	for i := 1; i <= admins.MaxFailures; i++ {
		if err := s.TrySetupCode(ctx, "192.0.2.1", false); err != admins.ErrSetupCode {
			t.Fatalf("wrong code %d: err = %v", i, err)
		}
	}
	if err := s.TrySetupCode(ctx, "192.0.2.1", true); err != admins.ErrLocked {
		t.Errorf("right code after ten wrong: err = %v, want ErrLocked", err)
	}
	if err := s.TrySetupCode(ctx, "192.0.2.2", true); err != nil {
		t.Errorf("right code from another address: err = %v", err)
	}
	var n int
	db.Read.QueryRow(`SELECT COALESCE(SUM(failures), 0) FROM login_failures WHERE addr = '192.0.2.2'`).Scan(&n)
	if n != 0 {
		t.Errorf("a right code left %d failures counted", n)
	}
}
