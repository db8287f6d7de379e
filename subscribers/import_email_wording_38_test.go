package subscribers

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// longByIDNA is an address of 118 bytes typed, 268 in the form it is
// mailed in, its domain's 25 "é" each "xn--9ca": too long only there.
var longByIDNA = strings.Repeat("a", 64) + "@" + strings.Repeat("é.", 25) + "com"

// emailWording is each kind of address fault and what fixes it: only text
// that is no address at all is asked for "an address like
// name@example.com", which read wrong for an address already like it.
var emailWording = []struct{ email, why string }{
	{"bad-address", "enter an address like name@example.com"},
	{"@example.com", "write the part before the @, like name@example.com"},
	{"ann@", "write the domain after the @, like name@example.com"},
	{"ann@bo@example.com", "write one @ only, between the name and the domain, like name@example.com"},
	{"ann@gmail", "check the domain after the @: write it whole, with its ending, like example.com"},
	{"ann@exa_mple.com", "check the domain after the @: use only letters, digits, hyphens and dots in it"},
	{"ann@-example.com", "check the domain after the @: a hyphen may not start or end a part between its dots"},
	{"ann@example..com", "check the domain after the @: a dot may not start or end it, nor follow another dot"},
	{"ann@example.com.", "check the domain after the @: a dot may not start or end it, nor follow another dot"},
	{"ann@example.123", "check the domain after the @: end it with a name, like .com, not a number"},
	{"ann@" + strings.Repeat("a", 64) + ".com", "check the domain after the @: keep each part between its dots to at most 63 characters"},
	{"ann..lee@example.com", "check the part before the @: a dot may not start or end it, nor follow another dot"},
	{".ann@example.com", "check the part before the @: a dot may not start or end it, nor follow another dot"},
	{longByIDNA, "use an address of at most 254 characters (a domain in another script counts in its xn-- form)"},
	{strings.Repeat("a", 250) + "@example.com", "use an address of at most 254 characters (this one has 262)"},
	{"ann@ex ample.com", "enter just the address, like name@example.com"},
}

func TestNormalizeEmailSaysWhatToFix_38(t *testing.T) {
	for _, tc := range emailWording {
		got, why := NormalizeEmail(tc.email)
		if got != "" || why != tc.why {
			t.Errorf("NormalizeEmail(%.40q) = %q, %q; want it refused with %q", tc.email, got, why, tc.why)
		}
	}
	for _, ok := range []string{"ann@example.com", "Ann.Lee+news@Example.COM", "ann@bücher.example"} {
		if _, why := NormalizeEmail(ok); why != "" {
			t.Errorf("NormalizeEmail(%q) refused: %s", ok, why)
		}
	}
}

// The import report says of each invalid address what to fix in it, in
// the words of its fault, not "enter an address like name@example.com"
// for an address too long or with a domain that has no ending.
func TestImportReportWordsEachAddressFault_38(t *testing.T) {
	s := newStore(t)
	var in strings.Builder
	in.WriteString("email,name\n")
	var want []LineNote
	for i, tc := range emailWording {
		in.WriteString(`"` + tc.email + `",Reader` + "\n")
		want = append(want, LineNote{Line: i + 2, Reason: "email: " + tc.why})
	}
	rep, err := s.Import(context.Background(), strings.NewReader(in.String()), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []LineNote
	for _, n := range rep.InvalidLines {
		got = append(got, LineNote{Line: n.Line, Reason: n.Reason})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("invalid lines' reasons (-want +got):\n%s", diff)
	}
}

// newTextOnly is a fault only a new text is refused for.
type newTextOnly struct{ error }

func (newTextOnly) NewTextOnly() bool { return true }

// CheckWelcome names each fault a check's joined error holds, one a line,
// leaving out of a stored text's what only a new text is refused for.
func TestCheckWelcomeNamesEveryFault_38(t *testing.T) {
	joined := func(string) error {
		return errors.Join(errors.New("line 1: a"), newTextOnly{errors.New("line 2: b")}, errors.New("line 3: c"))
	}
	single := func(string) error { return errors.New("line 4: d") }
	if got, want := CheckWelcome("text", false, joined, single), "line 1: a\nline 2: b\nline 3: c\nline 4: d"; got != want {
		t.Errorf("new text: %q, want %q", got, want)
	}
	if got, want := CheckWelcome("text", true, joined, single), "line 1: a\nline 3: c\nline 4: d"; got != want {
		t.Errorf("stored text: %q, want %q", got, want)
	}
	if got := CheckWelcome("", false, joined); got != "" {
		t.Errorf("empty text: %q, want no fault", got)
	}
}
