package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A login form sent again after it signed the browser in (Back, then Log
// in) had a 403 saying "This form has expired … Nothing was saved",
// though the editor was logged in. The browser logged in as the form's
// email now goes where the form was going; one logged in as another
// admin is told so; neither gets a new session.
func TestLoginSentAgainWhenLoggedIn(t *testing.T) {
	s, a := newAdminServer(t)
	if _, err := s.Admins.SetAdmin(t.Context(), "ann@example.com", "another long passphrase"); err != nil {
		t.Fatal(err)
	}
	first := a.loginFormToken()
	if resp, _ := a.postLoginForm(first, "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	resp, body := a.postLoginForm(first, "correct horse battery")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/lists" || cookieNamed(resp, sessionCookie) != nil {
		t.Errorf("the same form again = %d to %q, want 303 to /admin/lists and no new session:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}

	// The same old form, with another admin's email and password.
	resp, body = a.do("POST", "/admin/login", url.Values{"csrf": {first}, "email": {"ann@example.com"}, "password": {"another long passphrase"}, "next": {"/admin/lists"}})
	for _, want := range []string{"<h1>You are already logged in</h1>",
		"This browser is logged in as editor@example.com. To log in as someone else, log out first, then log in again.",
		`<a href="/admin/lists">Go on as editor@example.com</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("another admin's login in a logged-in browser lacks %q:\n%s", want, body)
		}
	}
	if resp.StatusCode != http.StatusConflict || strings.Contains(body, "Nothing was saved") || cookieNamed(resp, sessionCookie) != nil {
		t.Errorf("another admin's login in a logged-in browser = %d, want 409 without a new session or \"Nothing was saved\":\n%s", resp.StatusCode, body)
	}
	if _, page := a.get("/admin/team"); !strings.Contains(page, "editor@example.com") {
		t.Error("the browser is no longer editor@example.com's")
	}
}

// An invite form sent again after it made the account and signed the
// browser in leads to the dashboard, as the first did, not to "This form
// has expired … Nothing was saved"; in another browser, or one logged in
// as someone else, it says the invite was used and how to go on.
func TestInviteSentAgainAfterItWasUsed(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	invite := a.invite("ann@example.com")
	ann := a.another()
	token := ann.inviteFormToken(invite)
	form := url.Values{"csrf": {token}, "email": {"ann@example.com"}, "password": {"a long passphrase"}, "password2": {"a long passphrase"}}
	if resp, body := ann.postBody("/admin/invite/"+invite, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept = %d:\n%s", resp.StatusCode, body)
	}
	resp, body := ann.postBody("/admin/invite/"+invite, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" || cookieNamed(resp, sessionCookie) != nil {
		t.Errorf("the same form again = %d to %q, want 303 to the dashboard, no new session:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}

	for _, tc := range []struct {
		name   string
		client *adminClient
		want   []string
	}{
		{"not logged in", a.another(), []string{"<h1>This invite was used</h1>",
			"This invite link was already used: its account was made then. Log in with the password chosen then",
			`<a href="/admin/login">Log in</a>`}},
		{"logged in as another admin", a, []string{"<h1>This invite was used</h1>",
			"This browser is logged in as editor@example.com; to use the invite&#39;s account, log out",
			`<a href="/admin">Go on as editor@example.com</a>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// ann's form, kept open: this browser's cookie does not match.
			resp, body := tc.client.postBody("/admin/invite/"+invite, form)
			if resp.StatusCode != http.StatusConflict || strings.Contains(body, "Nothing was saved") {
				t.Errorf("= %d, want 409 without \"Nothing was saved\":\n%s", resp.StatusCode, body)
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("lacks %q:\n%s", want, body)
				}
			}
		})
	}
}
