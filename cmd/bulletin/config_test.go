package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func parseConfig(env map[string]string, args ...string) (Config, error) {
	m := &Main{Stderr: &bytes.Buffer{}, Getenv: func(k string) string { return env[k] }}
	_, err := m.ParseFlags("serve", args, nil)
	return m.Config, err
}

func TestConfigDefaults(t *testing.T) {
	got, err := parseConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr: "127.0.0.1:8080", Data: "./data", BaseURL: "http://127.0.0.1:8080",
		SMTPConns: 8, SignupRate: 20, From: "Bulletin <newsletter@localhost>",
		DeliveryRetention: 90 * 24 * time.Hour,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestConfigEnvironmentAndFlags(t *testing.T) {
	env := map[string]string{
		"BULLETIN_ADDR":        "0.0.0.0:9000",
		"BULLETIN_BASE_URL":    "https://news.example.com/",
		"BULLETIN_SMTP_CONNS":  "4",
		"BULLETIN_SMTP_RATE":   "12.5",
		"BULLETIN_SIGNUP_RATE": "0",
		"BULLETIN_FROM":        "Harbour Gazette <news@example.com>",
		"BULLETIN_NO_SEND":     "1",
	}
	got, err := parseConfig(env, "--smtp-conns=2", "--allow-private-feeds", "--redis-url", "redis://127.0.0.1:6379/0")
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr: "0.0.0.0:9000", Data: "./data", BaseURL: "https://news.example.com", BaseURLSet: true,
		RedisURL: "redis://127.0.0.1:6379/0", SMTPConns: 2, SMTPRate: 12.5, SignupRate: 0,
		AllowPrivateFeeds: true, From: "Harbour Gazette <news@example.com>", NoSend: true,
		DeliveryRetention: 90 * 24 * time.Hour,
		Flags:             map[string]string{"BULLETIN_SMTP_CONNS": "smtp-conns", "BULLETIN_ALLOW_PRIVATE_FEEDS": "allow-private-feeds", "BULLETIN_REDIS_URL": "redis-url"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

// Each bad value is refused with a message that names the setting and says
// what to use instead.
func TestConfigBadValues(t *testing.T) {
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env: map[string]string{"BULLETIN_ADDR": "8080"}, want: "BULLETIN_ADDR \"8080\": use host:port"},
		{env: map[string]string{"BULLETIN_SMTP_CONNS": "zero"}, want: "BULLETIN_SMTP_CONNS \"zero\": use a whole number from 1 to 1000"},
		{args: []string{"--smtp-conns", "0"}, want: "--smtp-conns 0: use a whole number from 1 to 1000"},
		{env: map[string]string{"BULLETIN_SMTP_RATE": "-1"}, want: "BULLETIN_SMTP_RATE \"-1\": use a number of messages per second"},
		{env: map[string]string{"BULLETIN_SIGNUP_RATE": "1.5"}, want: "BULLETIN_SIGNUP_RATE"},
		{env: map[string]string{"BULLETIN_BASE_URL": "news.example.com"}, want: "BULLETIN_BASE_URL \"news.example.com\": use an absolute http(s) URL"},
		{env: map[string]string{"BULLETIN_REDIS_URL": "localhost:6379"}, want: "BULLETIN_REDIS_URL: use redis://"},
		{env: map[string]string{"BULLETIN_FROM": "not an address"}, want: "BULLETIN_FROM \"not an address\": use an address"},
		{env: map[string]string{"BULLETIN_FROM": "x <a@b>\r\nBcc: c@d"}, want: "BULLETIN_FROM"},
		{env: map[string]string{"BULLETIN_SECRET": "short"}, want: "BULLETIN_SECRET is too short"},
		{env: map[string]string{"BULLETIN_NO_SEND": "maybe"}, want: "BULLETIN_NO_SEND \"maybe\": use 1 (or true, on, yes) or 0 (or false, off, no)"},
		{args: []string{"--no-send"}, want: "cannot reach the embedded Redis: set BULLETIN_REDIS_URL"},
		{env: map[string]string{"BULLETIN_ADMIN_EMAIL": "a@b.example"}, want: "set both BULLETIN_ADMIN_EMAIL and BULLETIN_ADMIN_PASSWORD"},
		{args: []string{"--no-such-flag"}, want: "flag provided but not defined"},
	}
	for _, tc := range cases {
		_, err := parseConfig(tc.env, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v args %v: err = %v, want it to contain %q", tc.env, tc.args, err, tc.want)
			continue
		}
		if _, ok := err.(usageError); !ok {
			t.Errorf("env %v args %v: %T is not a usage error (exit 2)", tc.env, tc.args, err)
		}
	}
}

func TestInterleaveAcceptsFlagsAfterArguments(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	list := fs.String("list", "", "")
	confirmed := fs.Bool("confirmed", false, "")
	if err := fs.Parse(interleave(fs, []string{"file.csv", "--list", "news", "--confirmed"})); err != nil {
		t.Fatal(err)
	}
	if *list != "news" || !*confirmed || fs.Arg(0) != "file.csv" {
		t.Errorf("list=%q confirmed=%v args=%v", *list, *confirmed, fs.Args())
	}
}
