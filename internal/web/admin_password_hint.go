package web

import (
	"fmt"

	"github.com/bulletinhq/bulletin/internal/admins"
)

// passwordHint is said next to every field that sets an admin's password
// (setup, an invite's, the Team page's change): what admins.ValidPassword
// takes. Its lower bound counts characters, its upper one the bytes of
// UTF-8 that bcrypt reads, which is why a letter that is not A to Z
// counts for more. The fields have no maxlength: a browser cuts a pasted
// password to it without a word, and the field typed again, which had
// none, then did not match; the server refuses one too long saying so.
var passwordHint = fmt.Sprintf("%d to %d characters; an accented letter such as é counts as 2 of the %[2]d, "+
	"a letter of another alphabet as 2 or 3, most emoji as 4.", admins.MinPasswordLen, admins.MaxPasswordBytes)
