package admins_test

import (
	"context"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

const leakedPassword = "the old, leaked password"

type loginResult struct {
	secret string
	err    error
}

// pausedLogin starts a login of ed with password in the background and
// returns once the login has found the password right against the hash
// it read and stopped before writing its session: the gap a real race
// hits by chance. finish lets the login go on and waits for its result.
// A login that ends without reaching the gap fails t, since the race
// would then not have been run at all.
func pausedLogin(t *testing.T, s *admins.Store, password string) (finish func() loginResult) {
	t.Helper()
	checked := make(chan struct{})
	resume := make(chan struct{})
	release := sync.OnceFunc(func() { close(resume) })
	t.Cleanup(release) // a test that stops early does not leave the login waiting
	s.SetAfterPasswordCheck(func() {
		close(checked)
		<-resume
	})
	done := make(chan loginResult, 1)
	go func() {
		secret, _, err := s.Login(context.Background(), "203.0.113.9", "ed@example.com", password)
		done <- loginResult{secret, err}
	}()
	select {
	case <-checked:
	case res := <-done:
		t.Fatalf("the login ended (%v) without stopping between its check of the password and its session", res.err)
	}
	return func() loginResult {
		release()
		return <-done
	}
}

// checkRefusedWithoutSession fails t unless res is a wrong password's
// answer and the database holds want sessions, the ones the test made
// itself: a login refused must not have left a session behind either.
func checkRefusedWithoutSession(t *testing.T, s *admins.Store, db *sqlite.DB, res loginResult, want int, what string) {
	t.Helper()
	if res.err == nil {
		if _, err := s.Session(context.Background(), res.secret); err == nil {
			t.Errorf("a session made with the old password outlives %s", what)
		} else {
			t.Errorf("the login that raced %s made a session (now %v), want it refused", what, err)
		}
	} else if bulletin.ErrorCode(res.err) != bulletin.EUNAUTHORIZED || bulletin.ErrorMessage(res.err) != "Wrong email or password." {
		t.Errorf("the login that raced %s was refused with %v, want a wrong password's answer", what, res.err)
	}
	var n int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("%d sessions after the login that raced %s, want %d", n, what, want)
	}
}

// A login with a leaked password that checked it against the old hash
// just before a reset (bulletin admin create) writes its session after
// the reset ended the admin's sessions. It makes no session: the hash it
// checked is no longer the admin's, and it gets a wrong password's answer.
// The reset commits while the login is stopped between its check and its
// session.
func TestLoginRacingAResetMakesNoSessionWithTheOldPassword(t *testing.T) {
	s, db := store(t)
	if _, err := s.SetAdmin(context.Background(), "ed@example.com", leakedPassword); err != nil {
		t.Fatal(err)
	}

	finish := pausedLogin(t, s, leakedPassword)
	if _, _, err := s.ResetAdmin(context.Background(), "ed@example.com", "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	checkRefusedWithoutSession(t, s, db, finish(), 0, "ResetAdmin")
}

// The same race against the admin's own password change, which ends the
// admin's other sessions: a login with the old password that checked it
// before the change committed makes no session after it. The change runs
// in full while the login is stopped between its check and its session.
func TestLoginRacingAPasswordChangeMakesNoSessionWithTheOldPassword(t *testing.T) {
	s, db := store(t)
	ctx := context.Background()
	if _, err := s.SetAdmin(ctx, "ed@example.com", leakedPassword); err != nil {
		t.Fatal(err)
	}
	keep := login(t, s, "ed@example.com", leakedPassword)
	sess, err := s.Session(ctx, keep)
	if err != nil {
		t.Fatal(err)
	}

	finish := pausedLogin(t, s, leakedPassword)
	if _, err := s.ChangePassword(ctx, "198.51.100.7", sess.AdminID, keep, leakedPassword, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	checkRefusedWithoutSession(t, s, db, finish(), 1, "the password change")
	if _, err := s.Session(ctx, keep); err != nil {
		t.Errorf("the session that changed the password was ended: %v", err)
	}
}

// A password change checked against the old password while a reset sets
// a new one does not overwrite the reset's: whoever had the leaked
// password cannot choose the next one by racing the operator's recovery.
// The reset commits while the change is stopped between its check of the
// leaked password and its write, the gap a real race hits by chance.
func TestPasswordChangeRacingAResetKeepsTheResetPassword(t *testing.T) {
	s, _ := store(t)
	ctx := context.Background()
	if _, err := s.SetAdmin(ctx, "ed@example.com", leakedPassword); err != nil {
		t.Fatal(err)
	}
	keep := login(t, s, "ed@example.com", leakedPassword)
	sess, err := s.Session(ctx, keep)
	if err != nil {
		t.Fatal(err)
	}

	checked := make(chan struct{})
	resume := make(chan struct{})
	release := sync.OnceFunc(func() { close(resume) })
	defer release() // a test that stops early does not leave the change waiting
	s.SetBeforePasswordWrite(func() {
		close(checked)
		<-resume
	})
	changed := make(chan error, 1)
	go func() {
		_, err := s.ChangePassword(ctx, "198.51.100.7", sess.AdminID, keep, leakedPassword, "the intruder's passphrase")
		changed <- err
	}()
	select {
	case <-checked:
	case err := <-changed:
		t.Fatalf("the change ended (%v) without stopping between its check and its write", err)
	}
	if _, _, err := s.ResetAdmin(ctx, "ed@example.com", "the operator's passphrase"); err != nil {
		t.Fatal(err)
	}
	release()
	if err := <-changed; bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
		t.Errorf("the change that raced the reset = %v, want it refused as a wrong current password", err)
	}
	if _, _, err := s.Login(ctx, "192.0.2.1", "ed@example.com", "the operator's passphrase"); err != nil {
		t.Errorf("the reset's password does not log in after the racing change: %v", err)
	}
}
