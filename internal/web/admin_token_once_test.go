package web

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The form that makes a token answers 303, so a refresh of the page
// after it cannot post the form again and make a second token; the page
// it leads to shows the secret once, to this session only, and the
// secret is in no URL.
func TestNewTokenSecretIsShownOnceAfterARedirect(t *testing.T) {
	s, a := newAdminServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/tokens")
	resp := a.post("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"website"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/tokens?created=") || strings.Contains(loc, "bt_") {
		t.Fatalf("create = %d to %q, want 303 to /admin/tokens?created=HANDLE", resp.StatusCode, loc)
	}

	// Another session of the same admin cannot see it, nor use it up.
	jar, _ := cookiejar.New(nil)
	other := &adminClient{t: t, base: a.base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	other.login("correct horse battery")
	if _, body := other.get(loc); tokenSecret.MatchString(body) {
		t.Fatalf("another session saw the secret:\n%s", body)
	}

	resp, body := a.get(loc)
	secret := tokenSecret.FindString(body)
	if resp.StatusCode != http.StatusOK || secret == "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET %s = %d, Cache-Control %q, want the secret:\n%s", loc, resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	if ok, err := s.Admins.CheckToken(t.Context(), secret); !ok || err != nil {
		t.Fatalf("the secret shown does not open the API: %v %v", ok, err)
	}
	// A refresh: the secret is gone, and no second token was made.
	resp, body = a.get(loc)
	if resp.StatusCode != http.StatusOK || tokenSecret.MatchString(body) || !strings.Contains(body, "shown once") {
		t.Errorf("GET %s again = %d, want the list saying the secret was shown:\n%s", loc, resp.StatusCode, body)
	}
	if list, _ := s.Admins.ListTokens(t.Context()); len(list) != 1 {
		t.Errorf("%d tokens, want 1", len(list))
	}
}

// A name a token has already, in any case, is refused beside the field,
// which keeps what was typed; the list tells tokens apart by number and
// time of creation.
func TestTokenNameTakenIsAFieldError(t *testing.T) {
	s, a := newAdminServer(t)
	if _, err := s.Admins.CreateToken(t.Context(), "Website"); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/tokens")
	resp, body := a.postBody("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"website"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="website"`) ||
		!regexp.MustCompile(`<p class="error" id="name-error">A token is named “Website” already`).MatchString(body) {
		t.Errorf("a taken name = %d, want 422 with the field error and the name kept:\n%s", resp.StatusCode, body)
	}
	list, _ := s.Admins.ListTokens(t.Context())
	if len(list) != 1 {
		t.Fatalf("%d tokens, want 1", len(list))
	}
	_, page := a.get("/admin/tokens")
	tk := list[0]
	want := "Website <span class=\"muted\" title=\"The token’s number here, not part of its secret\">#" + itoa(tk.ID) + "</span>"
	when := ", " + tk.CreatedAt.UTC().Format("15:04") + " UTC"
	if !strings.Contains(page, want) || !strings.Contains(page, when) {
		t.Errorf("the list lacks the token's number (%s) or creation time (%s):\n%s", want, when, page)
	}
}
