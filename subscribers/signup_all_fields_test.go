package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// TestSignupNamesEveryFieldAtFault: a refused signup names every field at
// fault in one error, a bad address with unknown lists too, and every
// slug that names no public list, not just the first; it stores nothing.
// Check answers as Signup does and stores nothing even for a good signup.
func TestSignupNamesEveryFieldAtFault(t *testing.T) {
	store := newStore(t)
	signups := NewSignups(store, &taskQueue{}, nil)
	t.Cleanup(func() { signups.Close() })
	ctx := context.Background()
	bigAttrs := map[string]any{"notes": strings.Repeat("x", MaxAttributesLen)}

	for _, c := range []struct {
		name string
		in   Signup
		want map[string]string
	}{
		{"bad address, unknown list", Signup{Email: "not-an-address", Lists: []string{"nope"}},
			map[string]string{"email": "enter an address like name@example.com", "lists": `there is no list "nope"`}},
		{"bad address, private list", Signup{Email: "not-an-address", Lists: []string{"staff"}},
			map[string]string{"email": "enter an address like name@example.com", "lists": `there is no list "staff"`}},
		{"every unknown list, each once", Signup{Email: "ann@example.com", Lists: []string{"nope", "news", "Nada", "nada", "STAFF"}},
			map[string]string{"lists": `there are no lists "nope", "Nada" and "STAFF"`}},
		{"every field", Signup{Email: "", Name: strings.Repeat("n", MaxNameLen+1), Lists: []string{"nope"}, Attributes: bigAttrs},
			map[string]string{"email": "enter your email address", "name": "use at most 100 characters (this one has 101)",
				"lists": `there is no list "nope"`, "attributes": "keep attributes to at most 4 KiB of JSON"}},
		{"no list and a bad name", Signup{Email: "ann@example.com", Name: "a\u202eb"},
			map[string]string{"name": "use plain text without control characters: remove the invisible direction mark (U+202E) after “a”", "lists": "choose at least one list"}},
	} {
		for _, call := range []struct {
			name string
			f    func(context.Context, *Signup) error
		}{{"Signup", signups.Signup}, {"Check", signups.Check}} {
			in := c.in
			err := call.f(ctx, &in)
			if bulletin.ErrorCode(err) != bulletin.EINVALID || bulletin.ErrorMessage(err) != "Some fields need fixing." {
				t.Errorf("%s: %s = %v, want the validation error", c.name, call.name, err)
				continue
			}
			if diff := cmp.Diff(c.want, bulletin.ErrorFields(err)); diff != "" {
				t.Errorf("%s: %s fields (-want +got):\n%s", c.name, call.name, diff)
			}
		}
	}

	if err := signups.Check(ctx, &Signup{Email: "ann@example.com", Lists: []string{"News"}}); err != nil {
		t.Errorf("Check of a good signup = %v, want nil", err)
	}
	signups.Flush()
	var n int
	if err := store.db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d subscribers stored, want none: refused signups and Check store nothing", n)
	}
}
