package admins_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

const leakedPassword = "the old, leaked password"

// slowHashAdmin stores ed@example.com with leakedPassword hashed at a
// bcrypt cost high enough that one comparison takes at least 600 ms, and
// returns how long a comparison takes. The slow hash only widens the
// window the tests below hit: it exists at any cost, between a check of
// the password and the write that follows it.
func slowHashAdmin(t *testing.T, s *admins.Store, db *sqlite.DB) time.Duration {
	t.Helper()
	if _, err := s.SetAdmin(context.Background(), "ed@example.com", leakedPassword); err != nil {
		t.Fatal(err)
	}
	for cost := 12; ; cost++ {
		hash, err := bcrypt.GenerateFromPassword([]byte(leakedPassword), cost)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		bcrypt.CompareHashAndPassword(hash, []byte(leakedPassword))
		took := time.Since(start)
		if took >= 600*time.Millisecond || cost == 16 {
			if _, err := db.Write.Exec(`UPDATE admins SET password_hash = ?`, string(hash)); err != nil {
				t.Fatal(err)
			}
			return took
		}
	}
}

type loginResult struct {
	secret string
	err    error
}

// loginAsync logs ed in with password in the background.
func loginAsync(s *admins.Store, password string) <-chan loginResult {
	ch := make(chan loginResult, 1)
	go func() {
		secret, _, err := s.Login(context.Background(), "203.0.113.9", "ed@example.com", password)
		ch <- loginResult{secret, err}
	}()
	return ch
}

// checkNoSessionOutlives fails t when res is a login that got a session
// still live, and when a refusal is not a wrong password's answer.
func checkNoSessionOutlives(t *testing.T, s *admins.Store, res loginResult, what string) {
	t.Helper()
	if res.err != nil {
		if bulletin.ErrorCode(res.err) != bulletin.EUNAUTHORIZED || bulletin.ErrorMessage(res.err) != "Wrong email or password." {
			t.Errorf("the racing login was refused with %v, want a wrong password's answer", res.err)
		}
		return
	}
	if _, err := s.Session(context.Background(), res.secret); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
		t.Errorf("a session made with the old password outlives %s (Session = %v); want it refused or ended", what, err)
	}
}

// A login with a leaked password that read the old hash just before a
// reset (bulletin admin create) finishes its bcrypt after the reset ended
// the admin's sessions. It makes no session: the hash it checked is no
// longer the admin's, and it gets a wrong password's answer.
func TestLoginRacingAResetMakesNoSessionWithTheOldPassword(t *testing.T) {
	s, db := store(t)
	slowHashAdmin(t, s, db)

	racing := loginAsync(s, leakedPassword)
	time.Sleep(150 * time.Millisecond) // the login has read the old hash and is in bcrypt
	if _, _, err := s.ResetAdmin(context.Background(), "ed@example.com", "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	checkNoSessionOutlives(t, s, <-racing, "ResetAdmin")
}

// The same race against the admin's own password change, which ends the
// admin's other sessions: a login with the old password that starts while
// the change checks the current one makes no session after it.
func TestLoginRacingAPasswordChangeMakesNoSessionWithTheOldPassword(t *testing.T) {
	s, db := store(t)
	ctx := context.Background()
	compare := slowHashAdmin(t, s, db)
	keep := login(t, s, "ed@example.com", leakedPassword)
	sess, err := s.Session(ctx, keep)
	if err != nil {
		t.Fatal(err)
	}

	changed := make(chan error, 1)
	go func() {
		_, err := s.ChangePassword(ctx, "198.51.100.7", sess.AdminID, keep, leakedPassword, "a brand new passphrase")
		changed <- err
	}()
	time.Sleep(compare / 2) // the change is checking the current password; its update is to come
	racing := loginAsync(s, leakedPassword)
	if err := <-changed; err != nil {
		t.Fatal(err)
	}
	checkNoSessionOutlives(t, s, <-racing, "the password change")
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
