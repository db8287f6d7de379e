package web

import (
	"net/http"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
)

// A setup post from another host without the code, or with a wrong one,
// marks the code field invalid, as the other admin forms mark a field at
// fault: described by the error and with the keyboard on it. A lockout
// judges no code typed, so it puts the keyboard there unmarked; a right
// code with another field wrong leaves the code field alone.
func TestSetupCodeFieldMarkedInvalid(t *testing.T) {
	s, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: remotePeer}
	csrf := c.csrf()

	// The right code, another field wrong: that field is at fault.
	f := setupForm("", s.Setup.Code())
	f.Set("password2", "another passphrase")
	resp, body := c.post(&csrf, f)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST with the code and passwords that differ = %d, want 422:\n%s", resp.StatusCode, body)
	}
	checkRefused(t, "right code, passwords differ", body, map[string]string{"password2": "password2-error"}, "password2")

	resp, body = c.post(&csrf, setupForm("", ""))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without the code = %d, want 403:\n%s", resp.StatusCode, body)
	}
	checkRefused(t, "no code", body, map[string]string{"code": "setup-error"}, "code")

	resp, body = c.post(&csrf, setupForm("", "WRONG-CODE-0000"))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST with a wrong code = %d, want 403:\n%s", resp.StatusCode, body)
	}
	checkRefused(t, "wrong code", body, map[string]string{"code": "setup-error"}, "code")

	for i := 2; i <= admins.MaxFailures; i++ {
		if resp, _ := c.post(&csrf, setupForm("", "WRONG-CODE-0000")); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("wrong code %d = %d, want 403", i, resp.StatusCode)
		}
	}
	resp, body = c.post(&csrf, setupForm("", s.Setup.Code()))
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the right code after %d wrong = %d, want 429:\n%s", admins.MaxFailures, resp.StatusCode, body)
	}
	checkRefused(t, "locked out", body, map[string]string{}, "code")
}
