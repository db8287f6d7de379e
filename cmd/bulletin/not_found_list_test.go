package main

import (
	"strings"
	"testing"
)

// A token or admin name that names nothing is refused with the command
// that shows the names there are: the refusal alone left the operator
// guessing at the right spelling.
func TestUnknownTokenOrAdminSaysHowToList(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	for _, args := range [][]string{
		{"admin", "create", "ann@example.com"},
		{"admin", "create", "ed@example.com"},
		{"token", "create", "ci"},
	} {
		if code, _, stderr := run(t, env, "a long enough passphrase\n", args...); code != 0 {
			t.Fatalf("%v: exit %d, %s", args, code, stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"token", "revoke", "cl"}, []string{`bulletin token: There is no API token named "cl".`, "Run bulletin token list to see the tokens there are."}},
		{[]string{"admin", "delete", "an@example.com"}, []string{"bulletin admin: There is no admin an@example.com.", "Run bulletin admin list to see the admins there are."}},
	} {
		code, _, stderr := run(t, env, "", tc.args...)
		saidOneLine(t, tc.args, code, stderr, 2, tc.want...)
	}
	// The names given right still do their work, and a refusal of another
	// kind is not told to look at the list.
	for _, tc := range []struct {
		args []string
		code int
		not  string
	}{
		{[]string{"token", "revoke", "ci"}, 0, ""},
		{[]string{"admin", "delete", "ed@example.com"}, 0, ""},
		{[]string{"admin", "delete", "ann@example.com"}, 1, "bulletin admin list"},
	} {
		code, _, stderr := run(t, env, "", tc.args...)
		if code != tc.code || (tc.not != "" && strings.Contains(stderr, tc.not)) {
			t.Errorf("%v: exit %d, stderr %q; want %d without %q", tc.args, code, stderr, tc.code, tc.not)
		}
	}
}
