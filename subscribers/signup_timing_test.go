package subscribers

import (
	"context"
	"testing"
	"time"
)

// A signup of a known address was answered sooner than one of a new
// address (a read, often no write, against the new rows' inserts: 245 µs
// against 320 µs, the medians over HTTP), which told anyone trying an
// address hundreds of times whether it subscribes. A known address is now
// answered no sooner than a recent new signup took, and a new one records
// its time and is never held. The new signups' times are set here to
// 300 ms, far over what any signup takes, so the test holds on a loaded
// machine: it asserts no speed, only that the known ones waited.
func TestKnownAddressIsAnsweredNoSoonerThanANewOne(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	signups := NewSignups(s, &taskQueue{}, nil)
	t.Cleanup(func() { signups.Close() })
	sign := func(email string) time.Duration {
		t.Helper()
		start := time.Now()
		if err := signups.Signup(ctx, &Signup{Email: email, Lists: []string{"news"}}); err != nil {
			t.Fatalf("Signup(%s): %v", email, err)
		}
		return time.Since(start)
	}
	sign("known@example.com")
	sign("confirmed@example.com")
	if _, err := s.db.Write.Exec(`UPDATE subscribers SET status = 'confirmed' WHERE email = 'confirmed@example.com'`); err != nil {
		t.Fatal(err)
	}
	if n := signups.newTimes.n; n != 2 {
		t.Fatalf("%d new signups' times recorded, want 2", n)
	}
	const slow = 300 * time.Millisecond
	for i := range signups.newTimes.d {
		signups.newTimes.d[i] = slow
	}
	for _, email := range []string{"known@example.com", "KNOWN@example.com", "confirmed@example.com"} {
		if took := sign(email); took < slow {
			t.Errorf("a signup of %s, known, took %v, sooner than the new signups' %v", email, took, slow)
		}
	}
	if n := signups.newTimes.n; n != 2 {
		t.Errorf("%d signups' times recorded after the known ones, want still 2", n)
	}
	sign("new@example.com") // not held: it only adds its own time
	if n := signups.newTimes.n; n != 3 {
		t.Errorf("%d signups' times recorded after a new one, want 3", n)
	}
}
