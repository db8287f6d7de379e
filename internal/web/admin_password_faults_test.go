package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
)

// TestAdminChangePasswordNamesEveryFault: a refused password change names
// all its faults in one answer. A new password too short or typed
// differently twice was reported only once the current password was
// right (a wrong current one hid them), and a mismatch hid a wrong
// current password. The current password's fault reads the same whatever
// the new one is, and nothing changes.
func TestAdminChangePasswordNamesEveryFault(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	csrf := a.csrfOf("/admin/team")
	const (
		wrong    = "The current password is wrong."
		short    = "at least 10 characters"
		mismatch = "The new passwords do not match"
	)
	cases := []struct {
		name, current, next, next2 string
		want, not                  []string
	}{
		{"wrong, short, mismatch", "wrong password!", "short", "shorter", []string{wrong, short, mismatch}, nil},
		{"wrong, short", "wrong password!", "short", "short", []string{wrong, short}, []string{mismatch}},
		{"wrong, mismatch", "wrong password!", "new passphrase!", "new passphrase?", []string{wrong, mismatch}, []string{short}},
		{"wrong only", "wrong password!", "new passphrase!", "new passphrase!", []string{wrong}, []string{short, mismatch}},
		{"right, short, mismatch", "correct horse battery", "short", "shorter", []string{short, mismatch}, []string{wrong}},
	}
	for _, tc := range cases {
		resp, body := a.postBody("/admin/team/password", url.Values{"csrf": {csrf}, "current": {tc.current}, "password": {tc.next}, "password2": {tc.next2}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422:\n%s", tc.name, resp.StatusCode, body)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: lacks %q:\n%s", tc.name, want, body)
			}
		}
		for _, not := range tc.not {
			if strings.Contains(body, not) {
				t.Errorf("%s: says %q:\n%s", tc.name, not, body)
			}
		}
		// Each field at fault is marked, for the eye and a screen reader.
		if n := strings.Count(body, `aria-invalid="true"`); n != len(tc.want) {
			t.Errorf("%s: %d fields marked, want %d:\n%s", tc.name, n, len(tc.want), body)
		}
	}
	// Nothing changed: the old password still logs in.
	a.another().loginAs("editor@example.com", "correct horse battery")
}

// TestAdminChangePasswordFaultsCountWrongGuesses: a wrong current password
// sent with a refused new one still counts against the address, as any
// wrong password does, so the new password's faults open no way around
// the lockout.
func TestAdminChangePasswordFaultsCountWrongGuesses(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	csrf := a.csrfOf("/admin/team")
	form := url.Values{"csrf": {csrf}, "current": {"wrong password!"}, "password": {"new passphrase!"}, "password2": {"other passphrase"}}
	for i := range admins.MaxFailures {
		if resp, body := a.postBody("/admin/team/password", form); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong try %d = %d, want 422:\n%s", i, resp.StatusCode, body)
		}
	}
	form.Set("current", "correct horse battery")
	resp, body := a.postBody("/admin/team/password", form)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "do not match") {
		t.Errorf("after %d wrong tries = %d, want 429 with the new passwords' fault too:\n%s", admins.MaxFailures, resp.StatusCode, body)
	}
}
