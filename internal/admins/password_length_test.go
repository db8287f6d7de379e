package admins_test

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A password past bcrypt's 72 bytes is refused in words its owner can act
// on: how long it is, in characters, and, when some take more than one
// byte, what they count as. "The password may have at most 72 bytes"
// was given to 80 é, which the form, counting characters, let through.
func TestValidPasswordSaysHowLong(t *testing.T) {
	for _, tc := range []struct {
		name, password, want string
	}{
		{"72 ASCII", strings.Repeat("a", 72), ""},
		{"36 é", strings.Repeat("é", 36), ""},
		{"80 ASCII", strings.Repeat("a", 80), "The password has 80 characters: use at most 72."},
		{"80 é", strings.Repeat("é", 80), "The password is too long: its 80 characters count as 160, and at most 72 are allowed " +
			"(a letter A to Z, a digit or a sign such as ! counts as 1, an accented letter such as é as 2, most other characters as 3 or 4). Use a shorter one."},
		{"54 with accents", strings.Repeat("déjà été ", 6), "The password is too long: its 54 characters count as 78, and at most 72"},
	} {
		err := admins.ValidPassword(tc.password)
		got := bulletin.ErrorMessage(err)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v, want none", tc.name, err)
			}
			continue
		}
		if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
