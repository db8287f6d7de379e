package admins

import (
	"strings"
	"testing"
)

// An empty address is asked for, not quoted back as `"" is not an email
// address`; a wrong one is quoted, with what to write instead.
func TestValidEmailSaysWhatToFix(t *testing.T) {
	for in, want := range map[string]string{
		"":          "Enter the admin's email address.",
		"  ":        "Enter the admin's email address.",
		"ann@":      `"ann@" is not an email address: write the address alone, like name@example.com.`,
		"Ann <a@b>": `"Ann <a@b>" is not an email address: write the address alone, like name@example.com.`,
	} {
		if _, err := validEmail(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validEmail(%q) = %v, want %q", in, err, want)
		}
	}
	if got, err := validEmail(" ann@example.com "); err != nil || got != "ann@example.com" {
		t.Errorf("validEmail of a good address = %q, %v", got, err)
	}
}
