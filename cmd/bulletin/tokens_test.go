package main

import (
	"strings"
	"testing"
)

// A token name is one line of "token list": a line break or another
// control character in it would garble the listing (and a terminal's
// escape sequences could rewrite what it shows), so it is refused as bad
// usage and nothing is stored.
func TestTokenCreateRefusesControlCharacters(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	for _, name := range []string{"ci\nfake  2026-01-01 00:00  never", "ci\rx", "tab\there", "bell\a", "esc\x1b[2J", "del\x7f", "c1\u0085"} {
		code, stdout, stderr := run(t, env, "", "token", "create", name)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "without control characters") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("token create %q: exit %d, stdout %q, stderr %q; want 2, no token and one line saying what to use", name, code, stdout, stderr)
		}
	}
	code, list, stderr := run(t, env, "", "token", "list")
	if code != 0 || list != "NAME  BEGINS  CREATED  LAST USED\n" {
		t.Errorf("token list after the refusals: exit %d, %q, %s", code, list, stderr)
	}
	if code, _, stderr := run(t, env, "", "token", "create", "Zoë's site · CI"); code != 0 {
		t.Errorf("a name with spaces and letters of other scripts: exit %d, %s", code, stderr)
	}
}
