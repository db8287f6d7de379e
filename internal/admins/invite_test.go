package admins_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// An invite is a link that works once, for InviteTTL, and creates the
// admin it names with a session.
func TestInviteWorksOnceAndExpires(t *testing.T) {
	s, db := store(t)
	ctx := context.Background()
	if _, err := s.SetAdmin(ctx, "ed@example.com", "first password!"); err != nil {
		t.Fatal(err)
	}
	inv, err := s.CreateInvite(ctx, 0, "Ann@Example.com ")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Token == "" || inv.Email != "Ann@Example.com" || time.Until(inv.ExpiresAt) < admins.InviteTTL-time.Minute {
		t.Fatalf("CreateInvite = %+v", inv)
	}
	var n int
	db.Read.QueryRow(`SELECT COUNT(*) FROM invites WHERE token_hash = ?`, inv.Token).Scan(&n)
	if n != 0 {
		t.Error("the invite token is stored in the clear")
	}
	if _, err := s.CreateInvite(ctx, 0, "ed@example.com"); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("inviting an admin gave %v, want ECONFLICT", err)
	}
	if _, err := s.CreateInvite(ctx, 0, "not an address"); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("inviting a bad address gave %v, want EINVALID", err)
	}
	if pending, err := s.PendingInvites(ctx); err != nil || len(pending) != 1 || pending[0].Email != "Ann@Example.com" {
		t.Errorf("PendingInvites = %+v, %v", pending, err)
	}

	got, err := s.CheckInvite(ctx, "198.51.100.7", inv.Token)
	if err != nil || got.Email != "Ann@Example.com" {
		t.Fatalf("CheckInvite = %+v, %v", got, err)
	}
	if _, _, err := s.AcceptInvite(ctx, "198.51.100.7", inv.Token, "short"); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("a short password gave %v, want EINVALID", err)
	}
	secret, sess, err := s.AcceptInvite(ctx, "198.51.100.7", inv.Token, "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if live, err := s.Session(ctx, secret); err != nil || live.AdminID != sess.AdminID || live.Email != "Ann@Example.com" {
		t.Errorf("Session after accepting = %+v, %v", live, err)
	}
	if _, _, err := s.AcceptInvite(ctx, "198.51.100.7", inv.Token, "another passphrase"); err != admins.ErrInviteUsed {
		t.Errorf("a second use gave %v, want ErrInviteUsed", err)
	}
	if _, err := s.CheckInvite(ctx, "198.51.100.7", inv.Token); err != admins.ErrInviteUsed {
		t.Errorf("checking a used invite gave %v, want ErrInviteUsed", err)
	}
	if _, _, err := s.Login(ctx, "198.51.100.7", "ann@example.com", "a long passphrase"); err != nil {
		t.Errorf("the invited admin cannot log in: %v", err)
	}
	if pending, _ := s.PendingInvites(ctx); len(pending) != 0 {
		t.Errorf("a used invite is still pending: %+v", pending)
	}

	old, err := s.CreateInvite(ctx, 0, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	db.Write.Exec(`UPDATE invites SET expires_at = ? WHERE email = 'bob@example.com'`, time.Now().UTC().Add(-time.Second))
	if _, _, err := s.AcceptInvite(ctx, "198.51.100.7", old.Token, "a long passphrase"); err != admins.ErrInviteExpired {
		t.Errorf("an expired invite gave %v, want ErrInviteExpired", err)
	}
	if _, err := s.CheckInvite(ctx, "198.51.100.7", "no-such-token"); err != admins.ErrInviteUnknown {
		t.Errorf("an unknown token gave %v, want ErrInviteUnknown", err)
	}
}

// A cancelled invite opens nothing.
func TestCancelInvite(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	inv, err := s.CreateInvite(ctx, 0, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := s.PendingInvites(ctx)
	if len(pending) != 1 {
		t.Fatalf("pending = %+v", pending)
	}
	if err := s.CancelInvite(ctx, pending[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckInvite(ctx, "198.51.100.7", inv.Token); err != admins.ErrInviteUnknown {
		t.Errorf("a cancelled invite gave %v, want ErrInviteUnknown", err)
	}
	if err := s.CancelInvite(ctx, pending[0].ID); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("cancelling twice gave %v, want ENOTFOUND", err)
	}
}

// Guessing invite tokens counts against the login lockout of the address.
func TestInviteGuessesLockTheAddressOut(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	inv, err := s.CreateInvite(ctx, 0, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for i := range admins.MaxFailures {
		if _, err := s.CheckInvite(ctx, "203.0.113.9", "guess"); err != admins.ErrInviteUnknown {
			t.Fatalf("guess %d gave %v", i, err)
		}
	}
	if _, err := s.CheckInvite(ctx, "203.0.113.9", inv.Token); err != admins.ErrLocked {
		t.Errorf("after %d guesses the right token gave %v, want ErrLocked", admins.MaxFailures, err)
	}
	if _, err := s.CheckInvite(ctx, "198.51.100.7", inv.Token); err != nil {
		t.Errorf("another address is locked out too: %v", err)
	}
}

// Removing the admin who sent an invite leaves the invite working.
func TestInviteOutlivesItsInviter(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	for _, email := range []string{"ed@example.com", "ann@example.com"} {
		if _, err := s.SetAdmin(ctx, email, "first password!"); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := s.ListAdmins(ctx)
	inv, err := s.CreateInvite(ctx, list[1].ID, "bob@example.com") // ed, by email order
	if err != nil {
		t.Fatal(err)
	}
	if pending, _ := s.PendingInvites(ctx); len(pending) != 1 || pending[0].InvitedBy != "ed@example.com" {
		t.Fatalf("pending = %+v, want one by ed", pending)
	}
	if _, err := s.DeleteAdmin(ctx, "ed@example.com"); err != nil {
		t.Fatal(err)
	}
	if pending, _ := s.PendingInvites(ctx); len(pending) != 1 || pending[0].InvitedBy != "" {
		t.Errorf("pending after the inviter left = %+v", pending)
	}
	if _, _, err := s.AcceptInvite(ctx, "198.51.100.7", inv.Token, "a long passphrase"); err != nil {
		t.Errorf("the invite of a removed admin = %v", err)
	}
}
