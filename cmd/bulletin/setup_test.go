package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

var setupLine = regexp.MustCompile(`open http://127\.0\.0\.1:\d+/admin/setup on this host .* with the code ([A-Z0-9]{4}(-[A-Z0-9]{4}){3}) `)

// TestServePrintsASetupCodeOnlyWithoutAnAdmin: an empty install logs the
// setup page and a one-time code once, and setup answers from loopback;
// with an admin there is neither.
func TestServePrintsASetupCodeOnlyWithoutAnAdmin(t *testing.T) {
	m, _, stderr := testMain(t, nil)
	data := m.Getenv("BULLETIN_DATA")
	base, stop := startServe(t, m)
	if code, body := get(t, base+"/admin/setup"); code != 200 || !strings.Contains(body, `name="list_slug"`) {
		t.Errorf("GET /admin/setup on an empty install = %d:\n%s", code, body)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
	if n := len(setupLine.FindAllString(stderr.String(), -1)); n != 1 {
		t.Errorf("%d setup lines with a code in the log, want 1:\n%s", n, stderr)
	}
	// serve listens on 127.0.0.1 here, which no other machine can
	// connect to: the line says so rather than send them anywhere.
	if line := setupLine.FindString(stderr.String()); strings.Contains(line, "from elsewhere") {
		t.Errorf("the setup line sends other machines to a loopback listener:\n%s", line)
	}

	m, _, stderr = testMain(t, map[string]string{"BULLETIN_DATA": data})
	m.Stdin = strings.NewReader("a long enough passphrase\n")
	if code := m.Main(context.Background(), []string{"admin", "create", "editor@example.com"}); code != 0 {
		t.Fatalf("admin create exited %d: %s", code, stderr)
	}
	m, _, stderr = testMain(t, map[string]string{"BULLETIN_DATA": data})
	base, stop = startServe(t, m)
	// The page leads to the login form (web's TestSetupSentAgainOnceDone…).
	if code, body := get(t, base+"/admin/setup"); code != 200 || !strings.Contains(body, `action="/admin/login"`) {
		t.Errorf("GET /admin/setup with an admin = %d, want the login page:\n%s", code, body)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
	if strings.Contains(stderr.String(), "no admin yet") {
		t.Errorf("serve with an admin logs the setup page:\n%s", stderr)
	}
}
