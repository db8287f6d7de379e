package subscribers

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A character the part before the @ may not hold is named, with what to
// use instead. The message said "use only ASCII characters before the @
// (a-z, 0-9 and . _ + -)", while o'brien@ and a&b@ were taken: the list
// was not the rule. A character that only looks like an ASCII letter
// (fullwidth, the Kelvin sign), or that does not show at all, is said to
// be so: "“K” cannot be used" of a K would read as nonsense.
func TestNonASCIILocalPartNamesTheCharacter(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"jöran@example.se", "“ö” cannot be used before the @: use only ASCII letters, digits and symbols there"},
		{"jo\u0308ran@example.se", "“ö” cannot be used before the @: use only ASCII letters, digits and symbols there"},
		{"q\u0308x@example.com", "“q\u0308” cannot be used before the @: use only ASCII letters, digits and symbols there"},
		{"山田@example.jp", "“山” cannot be used before the @: use only ASCII letters, digits and symbols there"},
		{"ｋate@example.com", "“ｋ” before the @ only looks like the ASCII “k”: type it again, using only ASCII letters, digits and symbols there"},
		{kelvin, "“\u212A” before the @ only looks like the ASCII “K”: type it again, using only ASCII letters, digits and symbols there"},
		{"ann\u200blee@example.com", "an invisible character (U+200B) is before the @: delete it, using only ASCII letters, digits and symbols there"},
	} {
		got, msg := NormalizeEmail(tc.in)
		if got != "" || msg != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, %q; want the message %q", tc.in, got, msg, tc.want)
		}
	}
	// What the message allows, ASCII letters, digits and symbols, is
	// taken.
	for _, ok := range []string{"o'brien@example.com", "a&b@example.com", "a+b@example.com", "a_b.c-d@example.com", "x!#$%*/=?^`{|}~@example.com"} {
		if got, msg := NormalizeEmail(ok); got != ok || msg != "" {
			t.Errorf("NormalizeEmail(%q) = %q, %q; want it taken", ok, got, msg)
		}
	}
	// A signup says the same, on its email field.
	s := &Signup{Email: "jöran@example.se"}
	if msg := bulletin.ErrorFields(s.Normalize())["email"]; msg != "“ö” cannot be used before the @: use only ASCII letters, digits and symbols there" {
		t.Errorf("a signup's email message is %q", msg)
	}
}

// Whatever is typed before the @, a part that is not ASCII gets a message
// that says what to do before the @, and nothing panics: a mark with no
// letter before it, a lone invisible character, a letter NFC turns into
// ASCII.
func FuzzNonASCIILocalPart(f *testing.F) {
	for _, seed := range []string{"jöran", "\u0308x", "\u200b", kelvin[:3], "ｋ", "a\u0301\u0302b", "山田"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, local string) {
		if !utf8.ValidString(local) || isASCII(local) {
			return
		}
		if msg := nonASCIILocal(local); !strings.Contains(msg, "before the @") || !strings.Contains(msg, "ASCII") {
			t.Errorf("nonASCIILocal(%q) = %q", local, msg)
		}
	})
}
