package main

import "testing"

// admin list and token list with nothing to list say so, and how to make
// one, on stderr; stdout keeps the header alone, for scripts.
func TestEmptyListsSaySoAndHow(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 { // a folder without a database is refused
		t.Fatalf("migrate: %s", stderr)
	}
	for _, tc := range []struct {
		args           []string
		header, stderr string
	}{
		{[]string{"admin", "list"}, "EMAIL  CREATED  SESSIONS\n", "No admins yet: create one with bulletin admin create EMAIL, or at /admin/setup of serve.\n"},
		{[]string{"token", "list"}, "NAME  BEGINS  CREATED  LAST USED\n", "No API tokens yet: create one with bulletin token create NAME, or at /admin/tokens.\n"},
	} {
		code, stdout, stderr := run(t, env, "", tc.args...)
		if code != 0 || stdout != tc.header || stderr != tc.stderr {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0, %q, %q", tc.args, code, stdout, stderr, tc.header, tc.stderr)
		}
	}
}
