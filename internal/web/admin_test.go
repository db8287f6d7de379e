package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// adminClient is a browser-like client (cookies, no redirects followed)
// against a real server with one admin.
type adminClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newAdminServer(t *testing.T) (*Server, *adminClient) {
	return newAdminServerWith(t, nil)
}

// newAdminServerWith lets setup add dependencies before the routes are built.
func newAdminServerWith(t *testing.T, setup func(s *Server, db *sqlite.DB)) (*Server, *adminClient) {
	t.Helper()
	s, db := unroutedServer(t, nil)
	tm, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s.Templates = tm
	if _, err := s.Admins.SetAdmin(context.Background(), "editor@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(s, db)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s, &adminClient{t: t, base: ts.URL, c: c}
}

// get fetches path and returns the answer and its body.
func (a *adminClient) get(path string) (*http.Response, string) {
	a.t.Helper()
	return a.do("GET", path, nil)
}

// do sends method to path with form (form-encoded when not nil) and
// returns the answer and its body.
func (a *adminClient) do(method, path string, form url.Values) (*http.Response, string) {
	a.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return a.send(req)
}

// send sends req with the client's cookies and returns the answer and
// its body.
func (a *adminClient) send(req *http.Request) (*http.Response, string) {
	a.t.Helper()
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (a *adminClient) post(path string, form url.Values) *http.Response {
	a.t.Helper()
	resp, err := a.c.PostForm(a.base+path, form)
	if err != nil {
		a.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login fetches the form and posts it, returning the response.
func (a *adminClient) login(password string) *http.Response {
	return a.loginFrom("", password)
}

// loginFrom logs in as a client at addr, which a reverse proxy on this
// host names in X-Forwarded-For; "" is the test's own loopback address.
func (a *adminClient) loginFrom(addr, password string) *http.Response {
	a.t.Helper()
	_, body := a.get("/admin/login")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		a.t.Fatalf("login form has no csrf field:\n%s", body)
	}
	form := url.Values{"csrf": {m[1]}, "email": {"editor@example.com"}, "password": {password}, "next": {"/admin/lists"}}
	req, _ := http.NewRequest("POST", a.base+"/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestAdminPagesNeedALogin(t *testing.T) {
	_, a := newAdminServer(t)
	for _, path := range []string{"/admin", "/admin/lists", "/admin/outbox", "/admin/queues", "/admin/articles"} {
		resp, _ := a.get(path)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login?next=") {
			t.Errorf("GET %s = %d to %q, want a redirect to the login page", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestAdminLoginSessionCookieAndCSRF(t *testing.T) {
	_, a := newAdminServer(t)
	resp := a.login("correct horse battery")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/lists" {
		t.Fatalf("login = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v, want HttpOnly and SameSite=Lax", cookie)
	}
	for _, path := range []string{"/admin", "/admin/lists", "/admin/outbox", "/admin/queues", "/admin/articles"} {
		if resp, body := a.get(path); resp.StatusCode != 200 || !strings.Contains(body, "Log out") {
			t.Errorf("GET %s after login = %d", path, resp.StatusCode)
		}
	}
	// A state-changing post without the CSRF token is refused, and the
	// session survives it.
	if resp := a.post("/admin/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without csrf = %d, want 403", resp.StatusCode)
	}
	if resp := a.post("/admin/logout", url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout with a forged csrf = %d, want 403", resp.StatusCode)
	}
	_, body := a.get("/admin")
	token := csrfField.FindStringSubmatch(body)[1]
	if resp := a.post("/admin/logout", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout = %d", resp.StatusCode)
	}
	if resp, _ := a.get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /admin after logout = %d, want a redirect", resp.StatusCode)
	}
}

func TestAdminLoginLocksOutAfterTenWrongPasswords(t *testing.T) {
	_, a := newAdminServer(t)
	for i := 1; i <= 10; i++ {
		if resp := a.login("wrong password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d = %d, want 401", i, resp.StatusCode)
		}
	}
	resp := a.login("correct horse battery")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password after ten wrong = %d, want 429", resp.StatusCode)
	}
	checkRetryAfter(t, resp.Header, 1, int(admins.LockoutPeriod.Seconds()))
}

// TestAdminLoginLocksOutAnIPv6Slash64 guesses from a new address of one
// /64 each time, as a host holding the /64 can: the eleventh is locked out
// even with the right password, and another /64 is not.
func TestAdminLoginLocksOutAnIPv6Slash64(t *testing.T) {
	_, a := newAdminServer(t)
	from := func(i int) string { return fmt.Sprintf("2001:db8:c0de:1:%x::%x", i, i) }
	for i := 1; i <= admins.MaxFailures; i++ {
		if resp := a.loginFrom(from(i), "wrong password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d = %d, want 401", i, resp.StatusCode)
		}
	}
	resp := a.loginFrom(from(admins.MaxFailures+1), "correct horse battery")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password from the same /64 after ten wrong = %d, want 429", resp.StatusCode)
	}
	checkRetryAfter(t, resp.Header, 1, int(admins.LockoutPeriod.Seconds()))
	if resp := a.loginFrom("2001:db8:c0de:2::1", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("right password from another /64 = %d, want 303", resp.StatusCode)
	}
}

func TestAdminLoginNeedsItsCSRFCookie(t *testing.T) {
	_, a := newAdminServer(t)
	resp := a.post("/admin/login", url.Values{"csrf": {"x"}, "email": {"editor@example.com"}, "password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without the form's cookie = %d, want 403", resp.StatusCode)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/admin/lists": "/admin/lists", "//evil.example/admin": "/admin", "https://evil.example": "/admin",
		"/admin\\..": "/admin", "": "/admin", "/adminx": "/adminx",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAdminSubscriberSearchEditErase(t *testing.T) {
	s, a := newAdminServer(t)
	ctx := context.Background()
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News"}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "Ada@Example.com", Name: "Ada", Status: "confirmed", Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	_, body := a.get("/admin/subscribers?q=ada%40example")
	if !strings.Contains(body, "Ada@example.com") {
		t.Fatalf("search did not find the subscriber:\n%s", body)
	}
	path := "/admin/subscribers/" + strconv.FormatInt(sub.ID, 10)
	_, body = a.get(path)
	token := csrfField.FindStringSubmatch(body)[1]
	resp := a.post(path, url.Values{"csrf": {token}, "name": {"Ada L."}, "status": {"unsubscribed"}, "frequency": {"weekly"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d", resp.StatusCode)
	}
	got, err := s.Subscribers.Get(ctx, sub.ID)
	if err != nil || got.Name != "Ada L." || got.Status != "unsubscribed" || got.Frequency != "weekly" {
		t.Errorf("after save: %+v, %v", got, err)
	}
	if resp := a.post(path+"/erase", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("erase without csrf = %d, want 403", resp.StatusCode)
	}
	if resp := a.post(path+"/erase", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase = %d", resp.StatusCode)
	}
	if _, err := s.Subscribers.Get(ctx, sub.ID); err == nil {
		t.Error("subscriber still there after erase")
	}
}
