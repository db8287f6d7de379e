package main

import (
	"context"
	"strings"
	"testing"
)

// The -h of a group's subcommand shows that subcommand's line, and the
// group's -h all of its lines: "admin list -h" used to show "Usage:
// bulletin admin create EMAIL", the group's first line.
func TestSubcommandHelpShowsItsOwnLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "list", "-h"}, "Usage: bulletin admin list\n  list the admins\n"},
		{[]string{"admin", "delete", "-h"}, "Usage: bulletin admin delete EMAIL\n  delete an admin and end its sessions\n"},
		{[]string{"admin", "create", "--help"}, "Usage: bulletin admin create EMAIL\n"},
		{[]string{"token", "list", "-h"}, "Usage: bulletin token list\n  list the API tokens (never their secrets)\n"},
		{[]string{"token", "revoke", "-h"}, "Usage: bulletin token revoke NAME\n  revoke the API tokens of that name\n"},
		{[]string{"admin", "-h"}, "Usage:\n  bulletin admin create EMAIL\n      create an admin"},
		{[]string{"help", "token"}, "Usage:\n  bulletin token create NAME\n      print a new API token\n  bulletin token list\n"},
		{[]string{"secret", "-h"}, "Usage: bulletin secret rotate\n"},
	} {
		m, stdout, stderr := testMain(t, nil)
		code := m.Main(context.Background(), tc.args)
		if code != 0 || !strings.HasPrefix(stdout.String(), tc.want) || stderr.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %.200q, stderr %q; want 0 and stdout starting %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	m, stdout, _ := testMain(t, nil)
	m.Main(context.Background(), []string{"admin", "-h"})
	for _, line := range []string{"bulletin admin create EMAIL", "bulletin admin list", "bulletin admin delete EMAIL"} {
		if strings.Count(stdout.String(), line) != 1 {
			t.Errorf("admin -h does not show %q once:\n%s", line, stdout)
		}
	}
}

// A mistyped flag gets its error, the command's usage and own flags, and
// a pointer to -h: not the 27 settings (some 60 lines), which pushed the
// error out of sight, and not the error twice.
func TestMistypedFlagIsShort(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"admin", "list", "--bogus"}, []string{"flag provided but not defined: -bogus\nUsage: bulletin admin list\n", `"bulletin admin list -h"`}},
		{[]string{"serve", "--bogus"}, []string{"flag provided but not defined: -bogus\nUsage: bulletin serve [--no-send]\n", "-cpuprofile", `"bulletin serve -h"`}},
		{[]string{"import", "x.csv", "--lst", "news"}, []string{"flag provided but not defined: -lst\nUsage: bulletin import FILE.csv", "-list", `"bulletin import -h"`}},
	} {
		m, stdout, stderr := testMain(t, nil)
		code := m.Main(context.Background(), tc.args)
		out := stderr.String()
		if code != 2 || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing on stdout", tc.args, code, stdout)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, out)
			}
		}
		// import's four flags take 14 lines; the settings some 60.
		if n := strings.Count(out, "\n"); n > 16 || strings.Contains(out, "-smtp-url") || strings.Count(out, "not defined") != 1 {
			t.Errorf("%v: %d lines, want the error once and no settings:\n%s", tc.args, n, out)
		}
	}
}
