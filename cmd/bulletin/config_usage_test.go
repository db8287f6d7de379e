package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runBriefly runs a command that should stop at once, as run does, but
// stops it after 15 seconds should it start serving instead.
func runBriefly(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	m, _, stderr := testMain(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	code := m.Main(ctx, args)
	return code, stderr.String()
}

// A value the settings cannot use is bad usage, refused before anything
// starts: exit status 2 and one line that names the setting and says what
// to give instead, never the error of the library that would have failed
// on it later.
func TestSettingsRefusedAtStartUp(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want []string
	}{
		// asynq's parser said "database number should be the first
		// segment of the path", exit 1, once serve had opened the
		// database.
		{[]string{"serve"}, map[string]string{"BULLETIN_REDIS_URL": "redis://127.0.0.1:6379/abc"},
			[]string{"BULLETIN_REDIS_URL", `database "abc"`, "redis://[:password@]host:port/db"}},
		{[]string{"worker"}, map[string]string{"BULLETIN_REDIS_URL": "redis://127.0.0.1:6379/-1"},
			[]string{"BULLETIN_REDIS_URL", `database "-1"`}},
		{[]string{"serve"}, map[string]string{"BULLETIN_REDIS_URL": "redis://127.0.0.1:6379/0/extra"},
			[]string{"BULLETIN_REDIS_URL"}},
		// serve started, opened everything, then failed to create the
		// profile with exit 1.
		{[]string{"serve", "--cpuprofile", "/nonexist/prof"}, nil,
			[]string{"BULLETIN_CPUPROFILE", "/nonexist/prof", "/nonexist does not exist"}},
		{[]string{"serve"}, map[string]string{"BULLETIN_CPUPROFILE": dir},
			[]string{"BULLETIN_CPUPROFILE", dir, "is a folder"}},
		// NaN and Inf parsed as numbers and meant no limit at all. (migrate,
		// which sends nothing, only warns of them: see
		// settings_unused_data_test.go.)
		{[]string{"serve"}, map[string]string{"BULLETIN_SMTP_RATE": "NaN"},
			[]string{`BULLETIN_SMTP_RATE "NaN": use a number of messages per second`}},
		{[]string{"worker"}, map[string]string{"BULLETIN_SMTP_RATE": "Inf"},
			[]string{`BULLETIN_SMTP_RATE "Inf"`}},
		{[]string{"serve"}, map[string]string{"BULLETIN_SMTP_RATE": "+infinity"},
			[]string{`BULLETIN_SMTP_RATE "+infinity"`}},
		// An empty retention took the default while every other empty
		// setting with a default is refused.
		{[]string{"serve", "--delivery-retention="}, nil,
			[]string{`--delivery-retention "": use a number of days like 90d`}},
	} {
		env := map[string]string{"BULLETIN_DATA": t.TempDir()}
		for k, v := range tc.env {
			env[k] = v
		}
		code, stderr := runBriefly(t, env, tc.args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v %v: exit %d, stderr %q; want exit 2 and one line", tc.env, tc.args, code, stderr)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v %v: stderr %q lacks %q", tc.env, tc.args, stderr, want)
			}
		}
		if _, err := os.Stat(filepath.Join(env["BULLETIN_DATA"], "bulletin.db")); err == nil {
			t.Errorf("%v %v: the database was opened before the setting was checked", tc.env, tc.args)
		}
	}
}

// The forms of the settings that are right still pass.
func TestSettingsAcceptedForms(t *testing.T) {
	for _, env := range []map[string]string{
		{"BULLETIN_REDIS_URL": "redis://127.0.0.1:6379"},
		{"BULLETIN_REDIS_URL": "redis://127.0.0.1:6379/"},
		{"BULLETIN_REDIS_URL": "rediss://:pw@redis.example.com:6380/15"},
		{"BULLETIN_SMTP_RATE": "2.5"},
		{"BULLETIN_DELIVERY_RETENTION": "forever"},
	} {
		if _, err := parseConfig(env); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
}
