package subscribers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// kelvin is "Kate@example.com" spelled with U+212A KELVIN SIGN, which
// Unicode case folding turns into a plain k.
const kelvin = "\u212Aate@example.com"

// One rule for every way in: the part before the @ must be ASCII (with a
// message that says so), at most 64 octets; a non-ASCII domain is stored
// in its IDNA (xn--) form; the key is the address with ASCII letters
// lower-cased, so key and address always agree.
func TestNormalizeEmailUnicodeRule(t *testing.T) {
	tests := []struct {
		in, want, msg string // msg: a word the message must hold
	}{
		{kelvin, "", "ASCII"},
		{"jöran@example.se", "", "ASCII"},
		{"ｋate@example.com", "", "ASCII"}, // fullwidth k
		{"anna@bücher.example", "anna@xn--bcher-kva.example", ""},
		{"Anna@BÜCHER.example", "Anna@xn--bcher-kva.example", ""},
		{"kate@\u212Aexample.com", "kate@kexample.com", ""}, // the domain is mapped as DNS does
		{"anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example", ""},
		{"anna@bü_cher.example", "", "domain"},
		{strings.Repeat("a", 64) + "@example.com", strings.Repeat("a", 64) + "@example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", "", "64"},
	}
	for _, tt := range tests {
		got, msg := NormalizeEmail(tt.in)
		if got != tt.want || (msg == "") != (tt.msg == "") || !strings.Contains(msg, tt.msg) {
			t.Errorf("NormalizeEmail(%q) = %q, %q; want %q and a message with %q", tt.in, got, msg, tt.want, tt.msg)
		}
		if got != "" && EmailKey(got) != strings.ToLower(got) {
			t.Errorf("EmailKey(%q) = %q, not the address lower-cased", got, EmailKey(got))
		}
	}
	if k := EmailKey(kelvin); k == "kate@example.com" {
		t.Errorf("EmailKey folds the Kelvin sign into k: %q", k)
	}
}

// The Kelvin-sign address cannot squat kate@example.com by any way in:
// signup, admin add, admin edit and import all refuse it with a 422 that
// names the email field, and nothing is stored under kate's key.
func TestKelvinSignCannotSquat(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()

	signups := NewSignups(e.store, e.q, nil)
	err := signups.Signup(ctx, &Signup{Email: kelvin, Name: "Squatter", Lists: []string{"news"}})
	signups.Close()
	checkEmailRefused(t, "signup", err)

	_, err = e.store.Create(ctx, &NewSubscriber{Email: kelvin, Status: StatusConfirmed})
	checkEmailRefused(t, "admin add", err)

	other, err := e.store.Create(ctx, &NewSubscriber{Email: "other@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.store.Update(ctx, other.ID, &Patch{Email: ptr(kelvin)})
	checkEmailRefused(t, "admin edit", err)

	rep, err := e.store.Import(ctx, strings.NewReader("email,name\n"+kelvin+",Squatter\n"), ImportOptions{List: "news", Confirmed: true})
	if err != nil || rep.Invalid != 1 || rep.Added != 0 || !strings.Contains(rep.InvalidLines[0].Reason, "ASCII") {
		t.Errorf("import: %+v, %v", rep, err)
	}

	// kate signs up for real, and her key and address agree.
	kate, err := e.store.Create(ctx, &NewSubscriber{Email: "Kate@Example.com", Lists: []string{"news"}})
	if err != nil {
		t.Fatalf("the real kate could not sign up: %v", err)
	}
	if kate.Email != "Kate@example.com" {
		t.Errorf("stored %q", kate.Email)
	}
	var bad int
	if err := e.store.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers WHERE email_key != lower(email)`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d rows whose key is not their address lower-cased (SQLite's ASCII lower), %v", bad, err)
	}
}

func checkEmailRefused(t *testing.T, how string, err error) {
	t.Helper()
	if bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("%s: %v, want a validation error", how, err)
		return
	}
	if msg := bulletin.ErrorFields(err)["email"]; !strings.Contains(msg, "ASCII") {
		t.Errorf("%s: email message %q does not say what to fix", how, msg)
	}
}

func ptr[T any](v T) *T { return &v }

// An editor's change of a reader's address is stamped (email_changed_at),
// so that a bounce of mail sent to the old address leaves the reader
// alone; a change of anything else, or of the address's case only, is not.
func TestAddressChangeIsStamped(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	sub, err := e.store.Create(ctx, &NewSubscriber{Email: "lee@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	changed := func() bool {
		t.Helper()
		var at *time.Time
		if err := e.store.db.Read.QueryRow(`SELECT email_changed_at FROM subscribers WHERE id = ?`, sub.ID).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at != nil
	}
	for _, p := range []*Patch{{Name: ptr("Lee")}, {Email: ptr("LEE@example.com")}} {
		if _, err := e.store.Update(ctx, sub.ID, p); err != nil {
			t.Fatal(err)
		}
		if changed() {
			t.Fatalf("stamped after %+v", p)
		}
	}
	if _, err := e.store.Update(ctx, sub.ID, &Patch{Email: ptr("lee@new.example.com")}); err != nil {
		t.Fatal(err)
	}
	if !changed() {
		t.Error("a new address is not stamped")
	}
	if ex, err := e.store.ExportOf(ctx, sub.ID); err != nil || ex.EmailChangedAt == nil {
		t.Errorf("the export of the reader: %+v, %v; want the change's time in it", ex, err)
	}
}
