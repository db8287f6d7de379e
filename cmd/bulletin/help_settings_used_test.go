package main

import (
	"context"
	"strings"
	"testing"
)

// The -h of a command that uses only some settings (settingsUsed) lists
// those alone, under "Settings it uses"; the others' -h lists them all.
// backup -h listed every setting serve takes, the SMTP URL and the DKIM
// selectors among them.
func TestHelpListsTheSettingsACommandUses(t *testing.T) {
	for _, tc := range []struct {
		cmd        string
		want, dont []string
	}{
		{"backup", []string{"Settings it uses,", "-data string"}, []string{"-smtp-url", "-addr", "-from"}},
		{"restore", []string{"Settings it uses,", "-data string", "-secret string"}, []string{"-smtp-url", "-from"}},
		{"migrate", []string{"Settings it uses,", "-data string"}, []string{"-base-url", "-redis-url"}},
		{"doctor", []string{"Settings it uses,", "-data string", "-from string", "-smtp-url string", "-dkim-selector string", "-addr string"}, []string{"-redis-url", "-signup-rate"}},
		{"admin", []string{"Settings it uses,", "-data string"}, []string{"-smtp-url", "-secret", "-from", "-admin-email"}},
		{"admin create", []string{"Usage: bulletin admin create EMAIL", "Settings it uses,", "-data string"}, []string{"-smtp-url", "-secret", "-admin-password"}},
		{"export", []string{"Settings it uses,", "-data string", "-list"}, []string{"-smtp-url", "-secret", "-from"}},
		{"token create", []string{"Usage: bulletin token create NAME", "Settings it uses,", "-data string"}, []string{"-smtp-url", "-secret", "-from"}},
		{"seed", []string{"Settings it uses,", "-data string", "-secret string"}, []string{"-smtp-url", "-from", "-base-url", "-templates"}},
		{"secret rotate", []string{"Usage: bulletin secret rotate", "Settings it uses,", "-data string", "-secret string"}, []string{"-smtp-url", "-from", "-base-url"}},
		{"dkim keygen", []string{"Usage: bulletin dkim keygen", "-selector string", "-type string", "-domain string",
			"Settings it uses,", "-data string", "-from string", "-dkim-dir string"},
			[]string{"-smtp-url", "-dkim-selector", "-dkim-ed25519-selector", "-bounce-domain", "-base-url"}},
		{"serve", []string{"Settings, as flags", "-data string", "-smtp-url string", "-redis-url string", "-addr string"}, []string{"Settings it uses"}},
	} {
		m, stdout, stderr := testMain(t, nil)
		if code := m.Main(context.Background(), append(strings.Fields(tc.cmd), "-h")); code != 0 || stderr.Len() != 0 {
			t.Fatalf("%s -h: exit %d, stderr %q", tc.cmd, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%s -h lacks %q:\n%s", tc.cmd, w, stdout)
			}
		}
		for _, d := range tc.dont {
			if strings.Contains(stdout.String(), d) {
				t.Errorf("%s -h lists %q, which it does not use:\n%s", tc.cmd, d, stdout)
			}
		}
	}
}
