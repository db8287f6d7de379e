package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// another returns a second browser (its own cookies) on a's server.
func (a *adminClient) another() *adminClient {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &adminClient{t: a.t, base: a.base, c: c}
}

// loginAs logs the client in as email and fails the test unless it works.
func (a *adminClient) loginAs(email, password string) {
	a.t.Helper()
	form := url.Values{"csrf": {a.csrfOf("/admin/login")}, "email": {email}, "password": {password}}
	if resp := a.post("/admin/login", form); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		a.t.Fatalf("login as %s = %d to %q", email, resp.StatusCode, resp.Header.Get("Location"))
	}
}

// loggedIn reports whether the client's session still opens the admin.
func (a *adminClient) loggedIn() bool {
	a.t.Helper()
	resp, _ := a.get("/admin/team")
	return resp.StatusCode == http.StatusOK
}

var inviteLink = regexp.MustCompile(`/admin/invite/([A-Za-z0-9_-]{20,})`)

// invite has the logged-in client invite email and returns the link's token.
func (a *adminClient) invite(email string) string {
	a.t.Helper()
	resp := a.post("/admin/team/invites", url.Values{"csrf": {a.csrfOf("/admin/team")}, "email": {email}})
	if resp.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("invite %s = %d, want 303 to the link's page", email, resp.StatusCode)
	}
	resp, body := a.get(resp.Header.Get("Location"))
	m := inviteLink.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		a.t.Fatalf("invite %s = %d without a link:\n%s", email, resp.StatusCode, body)
	}
	return m[1]
}

// TestAdminInviteLinkMakesAnAdminOnce walks an invite: the link, the
// password form, the new admin logged in; then the link again, and one
// that expired.
func TestAdminInviteLinkMakesAnAdminOnce(t *testing.T) {
	var db *sqlite.DB
	_, a := newAdminServerWith(t, func(_ *Server, d *sqlite.DB) { db = d })
	a.loginAs("editor@example.com", "correct horse battery")
	token := a.invite("ann@example.com")
	if _, body := a.get("/admin/team"); !strings.Contains(body, "ann@example.com") || strings.Contains(body, token) {
		t.Errorf("the team page does not list the pending invite, or shows its secret:\n%s", body)
	}

	ann, late := a.another(), a.another()
	resp, body := ann.get("/admin/invite/" + token)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "ann@example.com") {
		t.Fatalf("GET invite = %d:\n%s", resp.StatusCode, body)
	}
	csrf := csrfField.FindStringSubmatch(body)[1]
	lateCSRF := late.csrfOf("/admin/invite/" + token)
	if resp := ann.another().post("/admin/invite/"+token, url.Values{"csrf": {csrf}, "password": {"a long passphrase"}, "password2": {"a long passphrase"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a post without the form's cookie = %d, want 403", resp.StatusCode)
	}
	for _, pw := range [][2]string{{"short", "short"}, {"a long passphrase", "another passphrase"}} {
		resp, body := ann.postBody("/admin/invite/"+token, url.Values{"csrf": {csrf}, "password": {pw[0]}, "password2": {pw[1]}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `name="password"`) {
			t.Errorf("passwords %q = %d, want 422 with the form again:\n%s", pw, resp.StatusCode, body)
		}
		if m := csrfField.FindStringSubmatch(body); m != nil {
			csrf = m[1]
		}
	}
	resp = ann.post("/admin/invite/"+token, url.Values{"csrf": {csrf}, "password": {"a long passphrase"}, "password2": {"a long passphrase"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin") {
		t.Fatalf("accepting the invite = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := ann.get("/admin/team"); resp.StatusCode != 200 || !strings.Contains(body, "Log out") {
		t.Fatalf("the new admin is not logged in: %d", resp.StatusCode)
	}
	a.another().loginAs("ann@example.com", "a long passphrase")

	// The link again: a GET, and a post from a form fetched before the use.
	if resp, body := a.another().get("/admin/invite/" + token); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already used") {
		t.Errorf("GET a used invite = %d:\n%s", resp.StatusCode, body)
	}
	resp, body = late.postBody("/admin/invite/"+token, url.Values{"csrf": {lateCSRF}, "password": {"an attacker's one"}, "password2": {"an attacker's one"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already used") {
		t.Errorf("POST a used invite = %d:\n%s", resp.StatusCode, body)
	}

	old := a.invite("bob@example.com")
	if _, err := db.Write.Exec(`UPDATE invites SET expires_at = ? WHERE email = 'bob@example.com'`, time.Now().UTC().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if resp, body := a.another().get("/admin/invite/" + old); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "expired") {
		t.Errorf("GET an expired invite = %d:\n%s", resp.StatusCode, body)
	}
	if resp, _ := a.another().get("/admin/invite/nonsense"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GET an unknown invite = %d, want 400", resp.StatusCode)
	}
}

// TestAdminRemoveEndsSessions removes a second admin, whose browser is
// out at once, and refuses to remove the last one.
func TestAdminRemoveEndsSessions(t *testing.T) {
	s, a := newAdminServer(t)
	ctx := context.Background()
	if _, err := s.Admins.SetAdmin(ctx, "ann@example.com", "ann's passphrase"); err != nil {
		t.Fatal(err)
	}
	a.loginAs("editor@example.com", "correct horse battery")
	ann := a.another()
	ann.loginAs("ann@example.com", "ann's passphrase")
	ids := map[string]string{}
	list, _ := s.Admins.ListAdmins(ctx)
	for _, ad := range list {
		ids[ad.Email] = itoa(ad.ID)
	}

	path := "/admin/team/" + ids["ann@example.com"] + "/remove"
	resp, body := a.get(path)
	if resp.StatusCode != 200 || !strings.Contains(body, "ann@example.com") || !strings.Contains(body, `name="confirm"`) {
		t.Fatalf("GET %s = %d:\n%s", path, resp.StatusCode, body)
	}
	csrf := csrfField.FindStringSubmatch(body)[1]
	if resp := a.post(path, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusUnprocessableEntity || !ann.loggedIn() {
		t.Fatalf("remove without the box ticked = %d", resp.StatusCode)
	}
	if resp := a.post(path, url.Values{"csrf": {csrf}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove = %d", resp.StatusCode)
	}
	if ann.loggedIn() {
		t.Error("the removed admin's session still opens the admin")
	}
	if _, body := a.get("/admin/team"); strings.Contains(body, "ann@example.com") {
		t.Error("the removed admin is still listed")
	}

	self := "/admin/team/" + ids["editor@example.com"] + "/remove"
	resp, body = a.postBody(self, url.Values{"csrf": {csrf}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "last admin") || !a.loggedIn() {
		t.Errorf("removing the last admin = %d:\n%s", resp.StatusCode, body)
	}
}

// TestAdminChangePassword: the current password is needed, and the change
// ends the admin's other sessions but not the one it came from.
func TestAdminChangePassword(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	phone := a.another()
	phone.loginAs("editor@example.com", "correct horse battery")
	csrf := a.csrfOf("/admin/team")

	cases := []struct{ name, current, next, next2, want string }{
		{"wrong current", "wrong password!", "new passphrase!", "new passphrase!", "current password is wrong"},
		{"mismatch", "correct horse battery", "new passphrase!", "new passphrase?", "do not match"},
		{"short", "correct horse battery", "short", "short", "at least 10 characters"},
	}
	for _, tc := range cases {
		resp, body := a.postBody("/admin/team/password", url.Values{"csrf": {csrf}, "current": {tc.current}, "password": {tc.next}, "password2": {tc.next2}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want 422 saying %q:\n%s", tc.name, resp.StatusCode, tc.want, body)
		}
	}
	if !phone.loggedIn() {
		t.Fatal("a refused change ended the other session")
	}
	resp := a.post("/admin/team/password", url.Values{"csrf": {csrf}, "current": {"correct horse battery"}, "password": {"new passphrase!"}, "password2": {"new passphrase!"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change = %d", resp.StatusCode)
	}
	if !a.loggedIn() {
		t.Error("the change ended the session it came from")
	}
	if phone.loggedIn() {
		t.Error("the other session outlived the change")
	}
	a.another().loginAs("editor@example.com", "new passphrase!")
}

// TestAdminInviteLinkGuessesLockOut: wrong invite links count like wrong
// passwords, so guessing them ends in a 429 for the address.
func TestAdminInviteLinkGuessesLockOut(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	token := a.invite("ann@example.com")
	guesser := a.another()
	for i := range admins.MaxFailures {
		if resp, _ := guesser.get("/admin/invite/guess" + itoa(int64(i))); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("guess %d = %d, want 400", i, resp.StatusCode)
		}
	}
	resp, body := guesser.get("/admin/invite/" + token)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "15 minutes") {
		t.Errorf("after the guesses the right link = %d, Retry-After %q:\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}
