package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The invite's form says the password's upper limit and how accented
// letters count toward it, and a password past it is refused saying how
// long it is: "at most 72 bytes" was given to 80 é, which the form's
// maxlength, counting characters, let through.
func TestInvitePasswordTooLongSaysHowLong(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	invite := a.invite("ann@example.com")
	ann := a.another()
	_, page := ann.get("/admin/invite/" + invite)
	if !strings.Contains(page, "10 to 72 characters; an accented letter such as é counts as 2 of the 72") {
		t.Errorf("the invite page does not say the password's limits:\n%s", page)
	}
	long := strings.Repeat("é", 80)
	resp, body := ann.postBody("/admin/invite/"+invite, url.Values{"csrf": {ann.inviteFormToken(invite)}, "password": {long}, "password2": {long}})
	want := `<p class="error" id="password-error">The password is too long: its 80 characters count as 160, and at most 72 are allowed`
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
		t.Errorf("80 é = %d, want 422 saying %q:\n%s", resp.StatusCode, want, body)
	}
}
