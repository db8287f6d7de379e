package admins_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// login logs email in from a fresh address and returns the session secret.
func login(t *testing.T, s *admins.Store, email, password string) string {
	t.Helper()
	secret, _, err := s.Login(context.Background(), "198.51.100.7", email, password)
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return secret
}

// Resetting a password (the recovery path) ends every session of that
// admin, and only of that admin: whoever had the old password is out.
func TestResetAdminEndsItsSessions(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	for _, email := range []string{"ed@example.com", "ann@example.com"} {
		if _, _, err := s.ResetAdmin(ctx, email, "first password!"); err != nil {
			t.Fatal(err)
		}
	}
	ed1 := login(t, s, "ed@example.com", "first password!")
	ed2 := login(t, s, "ed@example.com", "first password!")
	ann := login(t, s, "ann@example.com", "first password!")

	created, ended, err := s.ResetAdmin(ctx, "ED@example.com", "second password!")
	if err != nil || created || ended != 2 {
		t.Fatalf("ResetAdmin = %v, %d, %v; want an existing admin and 2 sessions ended", created, ended, err)
	}
	for _, secret := range []string{ed1, ed2} {
		if _, err := s.Session(ctx, secret); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
			t.Errorf("a session of ed outlived the reset: %v", err)
		}
	}
	if _, err := s.Session(ctx, ann); err != nil {
		t.Errorf("ann's session ended with ed's reset: %v", err)
	}
	if _, _, err := s.Login(ctx, "198.51.100.7", "ed@example.com", "first password!"); err == nil {
		t.Error("the old password still logs in")
	}
	login(t, s, "ed@example.com", "second password!")
	if _, _, err := s.ResetAdmin(ctx, "ed@example.com", "short"); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("a short password gave %v", err)
	}
}

func TestListAndDeleteAdmins(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	for _, email := range []string{"ed@example.com", "ann@example.com"} {
		if _, err := s.SetAdmin(ctx, email, "long password!"); err != nil {
			t.Fatal(err)
		}
	}
	ed := login(t, s, "ed@example.com", "long password!")
	login(t, s, "ed@example.com", "long password!")

	list, err := s.ListAdmins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Email    string
		Sessions int
	}
	var got []row
	for _, a := range list {
		if a.ID == 0 || a.CreatedAt.IsZero() {
			t.Errorf("admin %+v lacks an id or creation time", a)
		}
		got = append(got, row{a.Email, a.Sessions})
	}
	if diff := cmp.Diff([]row{{"ann@example.com", 0}, {"ed@example.com", 2}}, got); diff != "" {
		t.Errorf("ListAdmins (-want +got):\n%s", diff)
	}

	if _, err := s.DeleteAdmin(ctx, "nobody@example.com"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("deleting an unknown admin gave %v", err)
	}
	if ended, err := s.DeleteAdmin(ctx, "Ed@Example.com"); err != nil || ended != 2 {
		t.Fatalf("DeleteAdmin = %d, %v; want 2 sessions ended", ended, err)
	}
	if _, err := s.Session(ctx, ed); err == nil {
		t.Error("a deleted admin's session still works")
	}
	// The last admin stays, so the admin area never ends up with no way in.
	if _, err := s.DeleteAdmin(ctx, "ann@example.com"); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("deleting the last admin gave %v, want a conflict", err)
	}
	if list, _ := s.ListAdmins(ctx); len(list) != 1 || list[0].Email != "ann@example.com" {
		t.Errorf("admins after the deletes: %+v", list)
	}
}

func TestListAndRevokeTokens(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	ci, err := s.CreateToken(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	site, err := s.CreateToken(ctx, "website")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.CheckToken(ctx, ci); !ok {
		t.Fatal("new token does not check")
	}
	list, err := s.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tok := range list {
		if tok.ID == 0 || tok.CreatedAt.IsZero() {
			t.Errorf("token %+v lacks an id or creation time", tok)
		}
		names = append(names, tok.Name)
	}
	if diff := cmp.Diff([]string{"ci", "website"}, names); diff != "" {
		t.Errorf("ListTokens (-want +got):\n%s", diff)
	}

	if _, err := s.RevokeToken(ctx, "nope"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("revoking an unknown token gave %v", err)
	}
	if n, err := s.RevokeToken(ctx, "ci"); err != nil || n != 1 {
		t.Fatalf("RevokeToken = %d, %v", n, err)
	}
	if ok, _ := s.CheckToken(ctx, ci); ok {
		t.Error("a revoked token still checks")
	}
	if ok, _ := s.CheckToken(ctx, site); !ok {
		t.Error("revoking ci revoked website too")
	}
}

// EnsureAdmin (start-up's BULLETIN_ADMIN_EMAIL and _PASSWORD) creates a
// missing admin, leaves one whose password is already that one as it is,
// sessions and all, and resets one whose password differs, ending its
// sessions.
func TestEnsureAdminResetsOnlyADifferentPassword(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	created, reset, ended, err := s.EnsureAdmin(ctx, "ed@example.com", "first password!")
	if err != nil || !created || reset || ended != 0 {
		t.Fatalf("EnsureAdmin of a new admin = %v, %v, %d, %v; want it created", created, reset, ended, err)
	}
	ed := login(t, s, "ed@example.com", "first password!")

	created, reset, ended, err = s.EnsureAdmin(ctx, "ED@example.com", "first password!")
	if err != nil || created || reset || ended != 0 {
		t.Errorf("EnsureAdmin with the same password = %v, %v, %d, %v; want nothing changed", created, reset, ended, err)
	}
	if _, err := s.Session(ctx, ed); err != nil {
		t.Errorf("the session ended with EnsureAdmin of the same password: %v", err)
	}

	created, reset, ended, err = s.EnsureAdmin(ctx, "ed@example.com", "second password!")
	if err != nil || created || !reset || ended != 1 {
		t.Errorf("EnsureAdmin with another password = %v, %v, %d, %v; want a reset ending 1 session", created, reset, ended, err)
	}
	if _, err := s.Session(ctx, ed); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
		t.Errorf("the session outlived EnsureAdmin of another password: %v", err)
	}
	login(t, s, "ed@example.com", "second password!")

	for _, bad := range [][2]string{{"not an address", "a long passphrase"}, {"ann@example.com", "short"}} {
		if _, _, _, err := s.EnsureAdmin(ctx, bad[0], bad[1]); bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("EnsureAdmin(%q, %q) = %v, want a validation error", bad[0], bad[1], err)
		}
	}
}
