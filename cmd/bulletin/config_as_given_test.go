package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A setting refused for its value is named as the operator gave it: by its
// flag, with the value as typed after it, when it came from a flag
// ("serve --smtp-conns 0" was refused naming BULLETIN_SMTP_CONNS, which
// the operator had not written anywhere), by its variable when it came
// from the environment.
func TestConfigRefusalNamesTheFlagGiven(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string // the whole message
	}{
		// A whole number, from a flag and from the environment.
		{args: []string{"--smtp-conns", "0"}, want: `--smtp-conns 0: use a whole number from 1 to 1000`},
		{args: []string{"--smtp-conns=0"}, want: `--smtp-conns 0: use a whole number from 1 to 1000`},
		{env: map[string]string{"BULLETIN_SMTP_CONNS": "0"}, want: `BULLETIN_SMTP_CONNS "0": use a whole number from 1 to 1000`},
		// The flag wins over the variable, and is what is named.
		{env: map[string]string{"BULLETIN_SMTP_CONNS": "4"}, args: []string{"--smtp-conns", "0"}, want: `--smtp-conns 0: use a whole number from 1 to 1000`},
		// Another flag given leaves the variable refused named as one.
		{env: map[string]string{"BULLETIN_SMTP_CONNS": "0"}, args: []string{"--smtp-rate", "5"}, want: `BULLETIN_SMTP_CONNS "0": use a whole number from 1 to 1000`},
		// A retention, as days and as nothing.
		{args: []string{"--delivery-retention", "3d"}, want: `--delivery-retention 3d: keep deliveries at least 7 days (7d), which late bounces and the feedback health figures need, or forever`},
		{args: []string{"--delivery-retention", ""}, want: `--delivery-retention "": use a number of days like 90d, a duration like 2160h, or forever; unset it for the default, 90d`},
		{env: map[string]string{"BULLETIN_DELIVERY_RETENTION": "3d"}, want: `BULLETIN_DELIVERY_RETENTION "3d": keep deliveries at least 7 days (7d)`},
		// URLs.
		{args: []string{"--base-url", "news.example.com"}, want: `--base-url news.example.com: use an absolute http(s) URL, like https://news.example.com`},
		{env: map[string]string{"BULLETIN_BASE_URL": "news.example.com"}, want: `BULLETIN_BASE_URL "news.example.com": use an absolute http(s) URL, like https://news.example.com`},
		{args: []string{"--smtp-url", "smtp://relay.example.com/mail"}, want: `--smtp-url: unexpected path "/mail": give only the server, like smtp://relay.example.com`},
		{args: []string{"--redis-url", "localhost:6379"}, want: `--redis-url: use redis://`},
		// A value a shell needs quotes for keeps them.
		{args: []string{"--from", "not an address"}, want: `--from "not an address": use an address, like "Harbour Gazette <news@example.com>"`},
		// An on/off flag takes its value after an '='.
		{args: []string{"--no-send=maybe"}, want: `--no-send=maybe: use 1 (or true, on, yes) or 0 (or false, off, no)`},
		{args: []string{"--no-send"}, want: `--no-send leaves campaign and digest sending to bulletin worker processes, which cannot reach the embedded Redis: set BULLETIN_REDIS_URL too`},
		{env: map[string]string{"BULLETIN_NO_SEND": "1"}, want: `BULLETIN_NO_SEND leaves campaign and digest sending`},
		// A line that names two settings names each as it was given.
		{args: []string{"--bounce-addr", ":2525"}, want: `--bounce-addr needs BULLETIN_BOUNCE_DOMAIN: `},
		{args: []string{"--admin-email", "ann@example.com"}, want: `set both --admin-email and BULLETIN_ADMIN_PASSWORD, or neither`},
		{args: []string{"--data", ""}, want: `--data is empty: give a folder, like ./data`},
	} {
		_, err := parseConfig(tc.env, tc.args...)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("env %v args %q: err = %v, want %q", tc.env, tc.args, err, tc.want)
			continue
		}
		if _, ok := err.(usageError); !ok {
			t.Errorf("env %v args %q: %T is not a usage error (exit 2)", tc.env, tc.args, err)
		}
	}
}

// The line serve writes for a flag it refuses names the flag, once.
func TestServeRefusesAFlagNamingIt(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"serve", "--smtp-conns", "0"}
	code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", args...)
	if want := "bulletin serve: --smtp-conns 0: use a whole number from 1 to 1000\n"; code != 2 || stderr != want {
		t.Errorf("%v: exit %d, stderr %q; want 2 and %q", args, code, stderr, want)
	}

	// serve's own checks name the flag too: a broken template given with
	// --templates, found once the settings have passed.
	broken := t.TempDir()
	os.MkdirAll(filepath.Join(broken, "mail"), 0o755)
	os.WriteFile(filepath.Join(broken, "mail", "confirm.txt"), []byte("{{.Oops"), 0o600)
	args = []string{"serve", "--templates", broken}
	code, _, stderr = run(t, map[string]string{"BULLETIN_DATA": data}, "", args...)
	saidOneLine(t, args, code, stderr, 2, "bulletin serve: --templates "+broken+": ", "confirm.txt", "or leave --templates empty for the built-in templates")
	if strings.Contains(stderr, "BULLETIN_TEMPLATES") {
		t.Errorf("%v: stderr %q names the variable, not the flag given", args, stderr)
	}

	// And so does every other command that reads them.
	csv := filepath.Join(t.TempDir(), "readers.csv")
	os.WriteFile(csv, []byte("email\nann@example.com\n"), 0o600)
	args = []string{"import", "--templates", broken, "--list", "daily-news", csv}
	code, _, stderr = run(t, map[string]string{"BULLETIN_DATA": data}, "", args...)
	saidOneLine(t, args, code, stderr, 2, "bulletin import: --templates "+broken+": ", "confirm.txt")
	if strings.Contains(stderr, "BULLETIN_TEMPLATES") {
		t.Errorf("%v: stderr %q names the variable, not the flag given", args, stderr)
	}
}

// namedAsGiven replaces a setting's variable only where it is the whole
// name: BULLETIN_ADDR given as --addr leaves BULLETIN_BOUNCE_ADDR alone.
func TestNamedAsGivenWholeNames(t *testing.T) {
	c := Config{Flags: map[string]string{"BULLETIN_ADDR": "addr", "BULLETIN_SECRET": "secret"}}
	for _, tc := range []struct{ msg, want string }{
		{`BULLETIN_BOUNCE_ADDR ":x" and BULLETIN_ADDR "a b"`, `BULLETIN_BOUNCE_ADDR ":x" and --addr "a b"`},
		{`BULLETIN_WEBHOOK_MAILGUN_SECRET, BULLETIN_SECRET is too short`, `BULLETIN_WEBHOOK_MAILGUN_SECRET, --secret is too short`},
		{`listen on BULLETIN_ADDR 127.0.0.1:1: busy; give another BULLETIN_ADDR`, `listen on --addr 127.0.0.1:1: busy; give another --addr`},
		{`BULLETIN_ADDR "unterminated`, `--addr "unterminated`},
		{`BULLETIN_ADDRESS`, `BULLETIN_ADDRESS`},
	} {
		if got := c.namedAsGiven(tc.msg); got != tc.want {
			t.Errorf("namedAsGiven(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}
