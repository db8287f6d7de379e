package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// run runs one command on the data folder of env with stdin and returns
// its exit status, stdout and stderr.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	m, stdout, stderr := testMain(t, env)
	m.Stdin = strings.NewReader(stdin)
	code := m.Main(context.Background(), args)
	return code, stdout.String(), stderr.String()
}

// adminLogin logs in through the real login form and returns the session
// cookie.
func adminLogin(t *testing.T, base, email, password string) *http.Cookie {
	t.Helper()
	page, err := noRedirect.Get(base + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if token == nil {
		t.Fatalf("the login page has no csrf field:\n%s", body)
	}
	form := url.Values{"email": {email}, "password": {password}, "csrf": {string(token[1])}, "next": {"/admin"}}
	req, _ := http.NewRequest("POST", base+"/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range page.Cookies() {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "bulletin_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("login as %s: %d without a session cookie", email, resp.StatusCode)
	return nil
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// adminStatus is the status of GET /admin with the cookie: 200 when the
// session is live, 303 to the login page when not.
func adminStatus(t *testing.T, base string, c *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/admin", nil)
	req.AddCookie(c)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// "admin create" for an admin that exists is the recovery tool for a
// leaked password: a browser logged in with the old one is out at once,
// while serve runs.
func TestAdminCreateAgainEndsSessions(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	for _, email := range []string{"ed@example.com", "ann@example.com"} {
		if code, _, stderr := run(t, env, "first passphrase\n", "admin", "create", email); code != 0 {
			t.Fatalf("admin create %s: %d %s", email, code, stderr)
		}
	}
	m, _, _ := testMain(t, env)
	base, stop := startServe(t, m)
	defer stop()
	ed := adminLogin(t, base, "ed@example.com", "first passphrase")
	adminLogin(t, base, "ed@example.com", "first passphrase")
	ann := adminLogin(t, base, "ann@example.com", "first passphrase")
	if code := adminStatus(t, base, ed); code != http.StatusOK {
		t.Fatalf("GET /admin with a fresh session = %d", code)
	}

	code, stdout, stderr := run(t, env, "second passphrase\n", "admin", "create", "ed@example.com")
	if code != 0 || stdout != "password reset for ed@example.com; 2 sessions ended\n" {
		t.Fatalf("admin create again: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code := adminStatus(t, base, ed); code != http.StatusSeeOther {
		t.Errorf("GET /admin with the session from before the reset = %d, want 303 to the login page", code)
	}
	if code := adminStatus(t, base, ann); code != http.StatusOK {
		t.Errorf("another admin's session = %d after ed's reset, want 200", code)
	}
	if c := adminLogin(t, base, "ed@example.com", "second passphrase"); adminStatus(t, base, c) != http.StatusOK {
		t.Error("the new password does not log in")
	}
}

func TestAdminAndTokenCommands(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	must := func(stdin string, args ...string) string {
		t.Helper()
		code, stdout, stderr := run(t, env, stdin, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, %s", args, code, stderr)
		}
		return stdout
	}
	must("a long passphrase\n", "admin", "create", "ed@example.com")
	must("a long passphrase\n", "admin", "create", "ann@example.com")
	ciSecret := regexp.MustCompile(`bt_[A-Za-z0-9_-]{43}`).FindString(must("", "token", "create", "ci"))
	must("", "token", "create", "website")

	list := must("", "admin", "list")
	if !regexp.MustCompile(`(?m)^EMAIL\s+CREATED\s+SESSIONS\nann@example\.com\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+0\ned@example\.com\s+`).MatchString(list) {
		t.Errorf("admin list printed:\n%s", list)
	}
	list = must("", "token", "list")
	// Each secret's start tells the tokens apart; the rest is never shown.
	if ciSecret == "" {
		t.Fatal("token create printed no secret")
	}
	if !regexp.MustCompile(`(?m)^NAME\s+BEGINS\s+CREATED\s+LAST USED\nci\s+` + regexp.QuoteMeta(ciSecret[:9]) + `…\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+never\nwebsite\s+bt_`).MatchString(list) {
		t.Errorf("token list printed:\n%s", list)
	}
	if strings.Contains(list, ciSecret[:10]) {
		t.Errorf("token list shows more of a secret than its start:\n%s", list)
	}
	if got := must("", "admin", "delete", "ed@example.com"); got != "admin ed@example.com deleted; 0 sessions ended\n" {
		t.Errorf("admin delete printed %q", got)
	}
	if got := must("", "token", "revoke", "ci"); got != "token ci revoked\n" {
		t.Errorf("token revoke printed %q", got)
	}
	if list := must("", "admin", "list"); strings.Contains(list, "ed@example.com") {
		t.Errorf("deleted admin still listed:\n%s", list)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"admin"}, 2, "use: bulletin admin create EMAIL | admin list | admin delete EMAIL"},
		{[]string{"admin", "remove", "x@example.com"}, 2, "use: bulletin admin create EMAIL | admin list | admin delete EMAIL"},
		{[]string{"admin", "list", "extra"}, 2, "use: bulletin admin list"},
		{[]string{"admin", "delete"}, 2, "use: bulletin admin delete EMAIL"},
		{[]string{"token", "revoke"}, 2, "use: bulletin token revoke NAME"},
		{[]string{"token", "list", "x"}, 2, "use: bulletin token list"},
		{[]string{"token", "drop", "ci"}, 2, "use: bulletin token create NAME | token list | token revoke NAME"},
		{[]string{"admin", "delete", "nobody@example.com"}, 2, "bulletin admin: There is no admin nobody@example.com."},
		{[]string{"admin", "delete", "ann@example.com"}, 1, "ann@example.com is the last admin"},
		{[]string{"token", "revoke", "ci"}, 2, `bulletin token: There is no API token named "ci".`},
	} {
		code, _, stderr := run(t, env, "", tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want %d and one line with %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
