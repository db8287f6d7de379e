package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/logtest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// postLogin posts the login form from addr, which the test's loopback
// proxy names in X-Forwarded-For, with any email and password.
func (a *adminClient) postLogin(addr, email, password string) int {
	a.t.Helper()
	form := url.Values{"csrf": {a.csrfOf("/admin/login")}, "email": {email}, "password": {password}}
	req, _ := http.NewRequest("POST", a.base+"/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLoginLogsFailuresForTheOperator checks the lines a fail2ban-style
// tool acts on: each failed login is one WARN line with the client's
// address and whether it is locked out, and the admin's id when the email
// named an admin, but never what was typed; each login the lockout
// refuses is one more; a login that works is one INFO line.
func TestLoginLogsFailuresForTheOperator(t *testing.T) {
	logs := &logtest.Buffer{}
	s, a := newAdminServerWith(t, func(s *Server, _ *sqlite.DB) {
		s.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	list, err := s.Admins.ListAdmins(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("admins = %v, %v", list, err)
	}
	admin := fmt.Sprintf("admin=%d", list[0].ID)
	// Secrets that must not reach the log: a password, and one typed
	// into the email field by mistake.
	const wrong, typedAsEmail = "hunter2-wrong-secret", "correct-horse-in-the-email-field"

	if code := a.postLogin("198.51.100.23", "editor@example.com", wrong); code != http.StatusUnauthorized {
		t.Fatalf("wrong password = %d, want 401", code)
	}
	if code := a.postLogin("198.51.100.24", typedAsEmail, wrong); code != http.StatusUnauthorized {
		t.Fatalf("unknown email = %d, want 401", code)
	}
	failed := logs.Lines("admin login failed")
	if len(failed) != 2 {
		t.Fatalf("%d lines say admin login failed, want 2:\n%s", len(failed), logs.String())
	}
	for i, want := range []string{"remote=198.51.100.23 locked=false", "remote=198.51.100.24 locked=false"} {
		if !strings.Contains(failed[i], "level=WARN") || !strings.Contains(failed[i], want) {
			t.Errorf("failure %d logged as %s, want a WARN line with %q", i+1, failed[i], want)
		}
	}
	if !strings.Contains(failed[0], admin) {
		t.Errorf("a wrong password for an admin logged as %s, want %s", failed[0], admin)
	}
	if strings.Contains(failed[1], "admin=") {
		t.Errorf("an email that names no admin logged an admin: %s", failed[1])
	}

	// The tenth wrong password from one address locks it out, and says so;
	// each login refused then is a line of its own, even a right one.
	for range admins.MaxFailures {
		a.postLogin("203.0.113.50", "editor@example.com", wrong)
	}
	for range 2 {
		if code := a.postLogin("203.0.113.50", "editor@example.com", "correct horse battery"); code != http.StatusTooManyRequests {
			t.Fatalf("login when locked out = %d, want 429", code)
		}
	}
	failed = logs.Lines("admin login failed")
	if want := 2 + admins.MaxFailures + 2; len(failed) != want {
		t.Fatalf("%d lines say admin login failed, want %d:\n%s", len(failed), want, logs.String())
	}
	last := failed[len(failed)-3]
	if !strings.Contains(last, "remote=203.0.113.50 locked=true") || !strings.Contains(last, admin) {
		t.Errorf("the failure that locked the address out logged as %s, want remote=203.0.113.50 locked=true and %s", last, admin)
	}
	for _, l := range failed[len(failed)-2:] {
		if !strings.Contains(l, "level=WARN") || !strings.Contains(l, "remote=203.0.113.50 locked=true") || !strings.Contains(l, "locked out") {
			t.Errorf("a login the lockout refused logged as %s, want a WARN line saying remote=203.0.113.50 is locked out", l)
		}
	}

	if code := a.postLogin("192.0.2.77", "editor@example.com", "correct horse battery"); code != http.StatusSeeOther {
		t.Fatalf("right password = %d, want 303", code)
	}
	in := logs.Lines("admin logged in")
	if len(in) != 1 || !strings.Contains(in[0], "level=INFO") || !strings.Contains(in[0], admin+" remote=192.0.2.77") {
		t.Errorf("a login logged %q, want one INFO line with %s remote=192.0.2.77", in, admin)
	}

	for _, secret := range []string{wrong, typedAsEmail, "correct horse", "editor@example.com"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs.String())
		}
	}
}
