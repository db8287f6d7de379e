package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Every form that sets an admin's password (setup, an invite's, the Team
// page's change) says its limits next to the field, tied to it for a
// screen reader, and refuses a password past bcrypt's 72 bytes naming the
// field and the limit, storing nothing. The setup and Team pages said no
// upper limit; the invite said it in its opening sentence. None of the
// fields has a maxlength: a browser cuts a pasted password to it without a
// word, and the copy typed again, which had none, then did not match.
func TestPasswordFieldsSayTheLimitAndRefuseALongerOne(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	ann := a.another()
	invite := "/admin/invite/" + a.invite("ann@example.com")
	_, _, setupH := newSetupServer(t)
	setup := &setupClient{t: t, h: setupH, peer: loopbackPeer, host: localHost}

	const hint = `<p class="muted" id="password-hint">10 to 72 characters; an accented letter such as é counts as 2 of the 72, a letter of another alphabet as 2 or 3, most emoji as 4.</p>`
	tied := regexp.MustCompile(`<input id="password" [^>]*aria-describedby="password-hint[ "]`)
	pages := []struct{ name, page string }{
		{"setup", func() string { _, b := setup.do("GET", "/admin/setup", nil); return b }()},
		{"invite", func() string { _, b := ann.get(invite); return b }()},
		{"team", func() string { _, b := a.get("/admin/team"); return b }()},
	}
	for _, p := range pages {
		if !strings.Contains(p.page, hint) || !tied.MatchString(p.page) {
			t.Errorf("%s: the password field does not say its limits, tied to it:\n%s", p.name, p.page)
		}
		if strings.Contains(p.page, `maxlength="72"`) {
			t.Errorf("%s: a password field has a maxlength, which cuts a pasted password without a word", p.name)
		}
	}

	long := map[string]string{
		strings.Repeat("x", 73): "The password has 73 characters: use at most 72.",
		strings.Repeat("é", 40): "The password is too long: its 40 characters count as 80, and at most 72 are allowed",
	}
	for pw, want := range long {
		want = `<p class="error" id="password-error">` + want
		sf := setupForm("", "")
		sf.Set("password", pw)
		sf.Set("password2", pw)
		tok := setup.csrf()
		resp, body := setup.post(&tok, sf)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) || !strings.Contains(body, `aria-describedby="password-hint password-error" aria-invalid="true"`) {
			t.Errorf("setup with %d bytes = %d, want 422 saying %q on the field:\n%s", len(pw), resp.StatusCode, want, body)
		}
		resp, body = ann.postBody(invite, url.Values{"csrf": {ann.inviteFormToken(strings.TrimPrefix(invite, "/admin/invite/"))}, "password": {pw}, "password2": {pw}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("invite with %d bytes = %d, want 422 saying %q:\n%s", len(pw), resp.StatusCode, want, body)
		}
		resp, body = a.postBody("/admin/team/password", url.Values{"csrf": {a.csrfOf("/admin/team")}, "current": {"correct horse battery"}, "password": {pw}, "password2": {pw}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("password change with %d bytes = %d, want 422 saying %q:\n%s", len(pw), resp.StatusCode, want, body)
		}
	}
	// Nothing was stored: no first admin, no invited one, no new password.
	if resp, _ := setup.do("GET", "/admin/setup", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("setup after the refusals = %d, want its form: an admin was made", resp.StatusCode)
	}
	if resp, _ := ann.get(invite); resp.StatusCode != http.StatusOK {
		t.Errorf("the invite after the refusals = %d, want its form: it was used", resp.StatusCode)
	}
	a.another().loginAs("editor@example.com", "correct horse battery")
}
