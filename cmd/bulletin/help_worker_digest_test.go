package main

import (
	"context"
	"strings"
	"testing"
)

// worker -h and digest run -h listed every setting serve takes: the
// signup limit, the webhooks' secrets and the trusted proxies, which
// neither reads, and the templates and the secret for a worker, which
// renders no mail and signs no link. Each lists the settings it reads,
// and says it refuses a malformed one all the same; serve -h keeps them
// all.
func TestWorkerAndDigestHelpListTheSettingsTheyRead(t *testing.T) {
	notRead := []string{"-signup-rate", "-trusted-proxies", "-webhook-ses-topic", "-webhook-postmark-secret", "-bounce-addr",
		"-bounce-mailbox", "-delivery-retention", "-allow-private-feeds", "-no-send"}
	for _, tc := range []struct {
		cmd        string
		want, dont []string
	}{
		{"worker", []string{"Usage: bulletin worker\n", "-addr string", "-redis-url string", "-smtp-url string", "-smtp-conns string",
			"-smtp-rate string", "-from string", "-metrics-token string", "-dkim-selector string", "-dkim-dir string"},
			append([]string{"-base-url", "-secret", "-templates", "-admin-email", "-admin-password", "-bounce-domain"}, notRead...)},
		{"digest run", []string{"Usage: bulletin digest run --list SLUG", "-list string", "-data string", "-base-url string",
			"-redis-url string", "-smtp-url string", "-from string", "-secret string", "-templates string", "-dkim-selector string",
			"-bounce-domain string"},
			append([]string{"-metrics-token", "-admin-email", "-admin-password"}, notRead...)},
		// import listed serve's every setting, the admin's among them,
		// which serve alone applies.
		{"import", []string{"Usage: bulletin import FILE.csv", "-list string", "-confirmed", "-data string", "-base-url string",
			"-redis-url string", "-smtp-url string", "-from string", "-secret string", "-templates string", "-dkim-selector string"},
			append([]string{"-metrics-token", "-admin-email", "-admin-password"}, notRead...)},
		{"serve", []string{"-addr string", "-signup-rate string", "-metrics-token string", "-templates string", "-webhook-ses-topic string",
			"-trusted-proxies string", "-delivery-retention string"}, []string{"It reads only"}},
	} {
		m, stdout, stderr := testMain(t, nil)
		if code := m.Main(context.Background(), append(strings.Fields(tc.cmd), "-h")); code != 0 || stderr.Len() != 0 {
			t.Fatalf("%s -h: exit %d, stderr %q", tc.cmd, code, stderr)
		}
		out := stdout.String()
		if tc.cmd != "serve" && !strings.Contains(out, "It reads only the settings below, and refuses any setting that is malformed, as serve does.") {
			t.Errorf("%s -h does not say it reads only the settings it lists:\n%s", tc.cmd, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s -h lacks %q:\n%s", tc.cmd, w, out)
			}
		}
		for _, d := range tc.dont {
			if listsFlag(out, d) {
				t.Errorf("%s -h lists %q, which it does not read:\n%s", tc.cmd, d, out)
			}
		}
	}
	// A worker's -h words the settings it reads as a worker uses them: it
	// opens no database or outbox, and needs a Redis and a mail server,
	// where serve's words offer an embedded Redis and the outbox.
	m, stdout, _ := testMain(t, nil)
	m.Main(context.Background(), []string{"worker", "-h"})
	for _, w := range []string{"a worker opens no database (BULLETIN_DATA)", "uses; required (BULLETIN_REDIS_URL)", "of the mail server; required (BULLETIN_SMTP_URL)"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("worker -h lacks %q:\n%s", w, stdout)
		}
	}
	for _, d := range []string{"empty runs an embedded Redis", "empty writes mail to the outbox", "bulletin.db, the outbox"} {
		if strings.Contains(stdout.String(), d) {
			t.Errorf("worker -h says %q, which is not so for a worker:\n%s", d, stdout)
		}
	}
	// Every setting is in serve's -h, in serve's words.
	m, stdout, _ = testMain(t, nil)
	m.Main(context.Background(), []string{"serve", "-h"})
	for _, s := range settings {
		if !listsFlag(stdout.String(), "-"+s.flag) {
			t.Errorf("serve -h lacks -%s", s.flag)
		}
	}
	if !strings.Contains(stdout.String(), "empty runs an embedded Redis") {
		t.Errorf("serve -h lost its own words for -redis-url:\n%s", stdout)
	}
}

// listsFlag says whether the help out lists flag ("-no-send"), with a
// value or without one.
func listsFlag(out, flag string) bool {
	return strings.Contains(out, "\n  "+flag+" ") || strings.Contains(out, "\n  "+flag+"\n")
}
