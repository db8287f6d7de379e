package admins_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

const lockoutPassword = "correct horse battery"

// lockoutStore has the admin ed@example.com, whose password hash has
// bcrypt's lowest cost: these tests check many passwords, and the lockout
// is the same at any cost.
func lockoutStore(t *testing.T) (*admins.Store, *sqlite.DB) {
	t.Helper()
	s, db := store(t)
	if _, err := s.SetAdmin(context.Background(), "ed@example.com", lockoutPassword); err != nil {
		t.Fatal(err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(lockoutPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE admins SET password_hash = ?`, string(hash)); err != nil {
		t.Fatal(err)
	}
	return s, db
}

func TestLoginLockoutCountsAnIPv6Slash64AsOneAddress(t *testing.T) {
	s, _ := lockoutStore(t)
	ctx := context.Background()
	for i := 1; i <= admins.MaxFailures; i++ {
		addr := fmt.Sprintf("2001:db8:7:8:%x::%x", i, i*7)
		if _, _, err := s.Login(ctx, addr, "ed@example.com", "wrong password"); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
			t.Fatalf("wrong password %d from %s: %v, want unauthorized", i, addr, err)
		}
	}
	if _, _, err := s.Login(ctx, "2001:db8:7:8:ffff::1", "ed@example.com", lockoutPassword); !errors.Is(err, admins.ErrLocked) {
		t.Errorf("right password from the same /64 after ten wrong: %v, want ErrLocked", err)
	}
	if _, _, err := s.Login(ctx, "2001:db8:7:9::1", "ed@example.com", lockoutPassword); err != nil {
		t.Errorf("right password from the next /64: %v", err)
	}
	if _, _, err := s.Login(ctx, "::ffff:198.51.100.1", "ed@example.com", lockoutPassword); err != nil {
		t.Errorf("right password from a mapped IPv4 address: %v", err)
	}
}

// TestLockedLoginDoesNotLookAtThePassword takes the admins table away once
// an address is locked: a locked-out login must answer without reading a
// password hash, let alone running bcrypt on it.
func TestLockedLoginDoesNotLookAtThePassword(t *testing.T) {
	s, db := lockoutStore(t)
	ctx := context.Background()
	for range admins.MaxFailures {
		s.Login(ctx, "203.0.113.5", "ed@example.com", "wrong password")
	}
	if _, err := db.Write.Exec(`ALTER TABLE admins RENAME TO admins_away`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login(ctx, "203.0.113.5", "ed@example.com", lockoutPassword); !errors.Is(err, admins.ErrLocked) {
		t.Errorf("locked login: %v, want ErrLocked without touching the admins table", err)
	}
	// The check is real: an address that is not locked does read the table.
	if _, _, err := s.Login(ctx, "203.0.113.6", "ed@example.com", lockoutPassword); bulletin.ErrorCode(err) != bulletin.EINTERNAL {
		t.Errorf("unlocked login without an admins table: %v, want an internal error", err)
	}
}

// TestParallelGuessesStopAtTheLimit fires many wrong passwords at once
// from one /64: only MaxFailures of them may be checked (each a bcrypt
// run); the rest are locked out before any work, not after.
func TestParallelGuessesStopAtTheLimit(t *testing.T) {
	s, _ := lockoutStore(t)
	ctx := context.Background()
	const n = 3 * admins.MaxFailures
	results := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _, err := s.Login(ctx, fmt.Sprintf("2001:db8:a:b::%x", i+1), "ed@example.com", "wrong password")
			switch {
			case errors.Is(err, admins.ErrLocked):
				results[i] = "locked"
			case bulletin.ErrorCode(err) == bulletin.EUNAUTHORIZED:
				results[i] = "checked"
			default:
				results[i] = fmt.Sprint(err)
			}
		})
	}
	wg.Wait()
	got := map[string]int{}
	for _, r := range results {
		got[r]++
	}
	want := map[string]int{"checked": admins.MaxFailures, "locked": n - admins.MaxFailures}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func TestOldLoginFailuresAreDeleted(t *testing.T) {
	s, db := lockoutStore(t)
	ctx := context.Background()
	now := sqlite.Now()
	old, recent := now.Add(-admins.LockoutPeriod-time.Minute), now.Add(-time.Minute)
	rows := []struct {
		addr     string
		failures int
		last     any
		until    any
	}{
		{"198.51.100.1", 3, old, nil},                      // forgotten: no failure for a lockout period
		{"198.51.100.2", 10, old, now.Add(-time.Minute)},   // a lock that ran out
		{"198.51.100.3", 10, old, nil},                     // an attempt that never finished
		{"198.51.100.4", 4, nil, nil},                      // from before failures had a time
		{"198.51.100.5", 2, recent, nil},                   // still counting
		{"198.51.100.6", 10, recent, now.Add(time.Minute)}, // still locked
	}
	for _, r := range rows {
		if _, err := db.Write.Exec(`INSERT INTO login_failures (addr, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)`,
			r.addr, r.failures, r.last, r.until); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Login(ctx, "203.0.113.9", "ed@example.com", "wrong password"); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
		t.Fatalf("login: %v", err)
	}
	var got []string
	r, err := db.Read.Query(`SELECT addr FROM login_failures`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var a string
		r.Scan(&a)
		got = append(got, a)
	}
	sort.Strings(got)
	// The wrong password counts for its account too (account_lockout.go).
	if diff := cmp.Diff([]string{"198.51.100.5", "198.51.100.6", "203.0.113.9", "account ed@example.com"}, got); diff != "" {
		t.Errorf("rows left (-want +got):\n%s", diff)
	}
	// A row kept still counts: the locked address stays locked.
	if _, _, err := s.Login(ctx, "198.51.100.6", "ed@example.com", lockoutPassword); !errors.Is(err, admins.ErrLocked) {
		t.Errorf("login from the locked address: %v", err)
	}
}
