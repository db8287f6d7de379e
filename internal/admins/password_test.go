package admins_test

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Changing one's own password needs the current one and ends the admin's
// other sessions, not the one it was changed from nor anyone else's.
func TestChangePasswordEndsOtherSessions(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	for _, email := range []string{"ed@example.com", "ann@example.com"} {
		if _, err := s.SetAdmin(ctx, email, "first password!"); err != nil {
			t.Fatal(err)
		}
	}
	here := login(t, s, "ed@example.com", "first password!")
	phone := login(t, s, "ed@example.com", "first password!")
	ann := login(t, s, "ann@example.com", "first password!")
	sess, err := s.Session(ctx, here)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, current, next, code string
	}{
		{"wrong current", "not my password", "second password!", bulletin.EUNAUTHORIZED},
		{"too short", "first password!", "short", bulletin.EINVALID},
	}
	for _, tc := range cases {
		if _, err := s.ChangePassword(ctx, "198.51.100.7", sess.AdminID, here, tc.current, tc.next); bulletin.ErrorCode(err) != tc.code {
			t.Errorf("%s: ChangePassword gave %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, err := s.Session(ctx, phone); err != nil {
		t.Fatalf("a refused change ended a session: %v", err)
	}

	ended, err := s.ChangePassword(ctx, "198.51.100.7", sess.AdminID, here, "first password!", "second password!")
	if err != nil || ended != 1 {
		t.Fatalf("ChangePassword = %d, %v; want 1 session ended", ended, err)
	}
	if _, err := s.Session(ctx, here); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, err := s.Session(ctx, phone); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
		t.Errorf("the other session outlived the change: %v", err)
	}
	if _, err := s.Session(ctx, ann); err != nil {
		t.Errorf("another admin's session ended: %v", err)
	}
	if _, _, err := s.Login(ctx, "198.51.100.7", "ed@example.com", "first password!"); err == nil {
		t.Error("the old password still logs in")
	}
	login(t, s, "ed@example.com", "second password!")
}
