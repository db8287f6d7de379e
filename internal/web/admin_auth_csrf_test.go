package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// loginFormToken loads the login page in one more tab of a's browser and
// returns the token of its form.
func (a *adminClient) loginFormToken() string {
	a.t.Helper()
	resp, body := a.get("/admin/login")
	m := csrfField.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		a.t.Fatalf("GET /admin/login = %d without a csrf field:\n%s", resp.StatusCode, body)
	}
	return m[1]
}

// postLoginForm posts the login form with csrf and password and returns
// the answer and its body.
func (a *adminClient) postLoginForm(csrf, password string) (*http.Response, string) {
	a.t.Helper()
	return a.do("POST", "/admin/login", url.Values{"csrf": {csrf}, "email": {"editor@example.com"}, "password": {password}, "next": {"/admin/lists"}})
}

// A login form still open works after the login page was opened in a
// second tab or reloaded, and after a wrong password in it or another
// tab: the browser's token is kept, not replaced, until a sign-in.
func TestLoginFormStaysValidInAnotherTabAndAfterAFailure(t *testing.T) {
	tests := []struct {
		name   string
		before func(t *testing.T, a *adminClient, first string)
	}{
		{"a second tab", func(t *testing.T, a *adminClient, _ string) { a.loginFormToken() }},
		{"a reload, three times", func(t *testing.T, a *adminClient, _ string) {
			for range 3 {
				a.loginFormToken()
			}
		}},
		{"a wrong password in this form", func(t *testing.T, a *adminClient, first string) {
			if resp, body := a.postLoginForm(first, "wrong horse"); resp.StatusCode != http.StatusUnauthorized || !csrfField.MatchString(body) {
				t.Fatalf("wrong password = %d, want 401 with the form:\n%s", resp.StatusCode, body)
			}
		}},
		{"a wrong password in a second tab", func(t *testing.T, a *adminClient, _ string) {
			if resp, _ := a.postLoginForm(a.loginFormToken(), "wrong horse"); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong password = %d, want 401", resp.StatusCode)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, a := newAdminServer(t)
			first := a.loginFormToken()
			tt.before(t, a, first)
			resp, body := a.postLoginForm(first, "correct horse battery")
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/lists" {
				t.Fatalf("the first form's login = %d to %q, want 303 to /admin/lists:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			if cookieNamed(resp, sessionCookie) == nil {
				t.Error("the login set no session cookie")
			}
		})
	}
}

// The login token stays bound to the browser and ends at a sign-in: a
// form opened before the sign-in, in this tab or another, is refused,
// and so is another browser's form. Each 403 says its true reason.
func TestLoginCSRFRefusalsSayWhy(t *testing.T) {
	_, a := newAdminServer(t)
	before := a.loginFormToken()
	other := a.another()
	otherToken := other.loginFormToken()
	if resp, body := a.postLoginForm(otherToken, "correct horse battery"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another browser's token = %d, want 403:\n%s", resp.StatusCode, body)
	}
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	// Logged out, keeping the token the sign-in gave: a browser still
	// logged in is led on instead (TestLoginSentAgainWhenLoggedIn).
	if resp := a.post("/admin/logout", url.Values{"csrf": {a.csrfOf("/admin")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout = %d", resp.StatusCode)
	}
	old := strconv.FormatInt(time.Now().Add(-61*time.Minute).Unix(), 10)
	// A browser that sent no cookie is not told its form expired.
	const expired = "<h1>This form has expired</h1>"
	tests := []struct {
		name, csrf string
		client     *adminClient
		want       string
		heading    string
	}{
		{"opened before a sign-in", before, a, "the security token of this form is not the one this browser holds now: the form was opened before a sign-in", expired},
		{"another browser's", otherToken, a, "the security token of this form is not the one this browser holds now", expired},
		{"no cookie", before, a.another(), "your browser did not send back the cookie this form needs", "<h1>This form needs a cookie</h1>"},
		{"opened more than an hour ago", strings.Split(before, ".")[0] + "." + old, a.another(), "this form was opened more than an hour ago", expired},
		{"no token", "", a, "the form is missing its security token or it has expired", expired},
		{"not a token", "stale", a, "the form is missing its security token or it has expired", expired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := tt.client.postLoginForm(tt.csrf, "correct horse battery")
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("= %d, want 403:\n%s", resp.StatusCode, body)
			}
			if !strings.Contains(body, "Forbidden: "+tt.want) || strings.Contains(body, "you signed in again since") ||
				!strings.Contains(body, "You are not logged in.") || strings.Contains(body, "Nothing was saved") {
				t.Errorf("lacks %q, or gives the session's reason:\n%s", tt.want, body)
			}
			if !strings.Contains(body, tt.heading) {
				t.Errorf("lacks the heading %s:\n%s", tt.heading, body)
			}
			if cookieNamed(resp, sessionCookie) != nil {
				t.Error("a refused login set a session cookie")
			}
		})
	}
}

// The login CSRF cookie is kept across pages, with the same attributes,
// and replaced at a sign-in.
func TestLoginCSRFCookieKeptThenRotatedAtSignIn(t *testing.T) {
	_, a := newAdminServer(t)
	cookie := func(resp *http.Response) string {
		t.Helper()
		c := cookieNamed(resp, loginCSRFCookie)
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/admin/login" || c.MaxAge != 3600 {
			t.Fatalf("login CSRF cookie = %+v, want HttpOnly, SameSite=Strict, for /admin/login, an hour", c)
		}
		return c.Value
	}
	resp, body := a.get("/admin/login")
	first := cookie(resp)
	if m := csrfField.FindStringSubmatch(body); m == nil || !strings.HasPrefix(m[1], first) {
		t.Fatalf("the form's token does not carry the cookie's value %q:\n%s", first, body)
	}
	resp, _ = a.get("/admin/login")
	if again := cookie(resp); again != first {
		t.Errorf("a second page replaced the cookie %q with %q", first, again)
	}
	resp, _ = a.postLoginForm(a.loginFormToken(), "correct horse battery")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	if after := cookie(resp); after == first {
		t.Error("the sign-in kept the login CSRF cookie's value")
	}
	if resp, _ := a.another().get("/admin/login"); cookie(resp) == first {
		t.Error("another browser got this browser's value")
	}
}

// inviteFormToken opens the invite page in one more tab of a's browser
// and returns its form's token.
func (a *adminClient) inviteFormToken(token string) string {
	a.t.Helper()
	resp, body := a.get("/admin/invite/" + token)
	m := csrfField.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		a.t.Fatalf("GET invite = %d without a csrf field:\n%s", resp.StatusCode, body)
	}
	return m[1]
}

// The invite's form, as the login's, stays valid after the page was
// opened again and after a refused password; it ends when the invite
// signs the new admin in.
func TestInviteFormStaysValidInAnotherTabAndAfterAFailure(t *testing.T) {
	tests := []struct {
		name   string
		before func(t *testing.T, ann *adminClient, invite, first string)
	}{
		{"a second tab", func(t *testing.T, ann *adminClient, invite, _ string) { ann.inviteFormToken(invite) }},
		{"a short password in this form", func(t *testing.T, ann *adminClient, invite, first string) {
			resp, body := ann.postBody("/admin/invite/"+invite, url.Values{"csrf": {first}, "password": {"short"}, "password2": {"short"}})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("short password = %d, want 422:\n%s", resp.StatusCode, body)
			}
		}},
		{"passwords that differ in a second tab", func(t *testing.T, ann *adminClient, invite, _ string) {
			resp, body := ann.postBody("/admin/invite/"+invite, url.Values{"csrf": {ann.inviteFormToken(invite)}, "password": {"a long passphrase"}, "password2": {"another passphrase"}})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("passwords that differ = %d, want 422:\n%s", resp.StatusCode, body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, a := newAdminServer(t)
			a.loginAs("editor@example.com", "correct horse battery")
			invite := a.invite("ann@example.com")
			ann := a.another()
			first := ann.inviteFormToken(invite)
			second := ann.inviteFormToken(invite)
			tt.before(t, ann, invite, first)
			form := url.Values{"csrf": {first}, "password": {"a long passphrase"}, "password2": {"a long passphrase"}}
			resp, body := ann.postBody("/admin/invite/"+invite, form)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("the first form's post = %d, want 303:\n%s", resp.StatusCode, body)
			}
			if !ann.loggedIn() {
				t.Fatal("the new admin is not logged in")
			}
			// A form opened before the sign-in is refused; as its invite
			// was used, by this browser, which is logged in as the
			// invite's address (the form's hidden email field), it leads
			// to the dashboard, as the first did (refuseInvite).
			form.Set("csrf", second)
			form.Set("email", "ann@example.com")
			resp, body = ann.postBody("/admin/invite/"+invite, form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" || cookieNamed(resp, sessionCookie) != nil {
				t.Errorf("a form opened before the sign-in = %d to %q, want 303 to the dashboard, no new session:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
		})
	}
}
