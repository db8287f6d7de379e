package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/loopback"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A worker, and serve --no-send, share the queue with other processes: on
// an unreachable BULLETIN_REDIS_URL they are not told to leave it empty
// for the embedded Redis, which they refuse. serve alone still is.
func TestUnreachableRedisAdviceFitsTheCommand(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		embedded bool
	}{
		{[]string{"worker"}, false},
		{[]string{"serve", "--no-send"}, false},
		{[]string{"serve"}, true},
	} {
		addr := loopback.ClosedAddr(t)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		env := map[string]string{"BULLETIN_REDIS_URL": "redis://" + addr + "/0"}
		if tc.args[0] == "worker" {
			env["BULLETIN_SMTP_URL"] = smtptest.Start(t).URL() // refused without, before Redis
		}
		m, _, out := testMain(t, env)
		code := m.Main(ctx, tc.args)
		cancel()
		stderr := out.String()
		if code != 1 || !strings.Contains(stderr, "BULLETIN_REDIS_URL: the Redis at "+addr+" does not answer") || !strings.Contains(stderr, "start it") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and a line naming BULLETIN_REDIS_URL and %s", tc.args, code, stderr, addr)
		}
		if got := strings.Contains(stderr, "embedded Redis"); got != tc.embedded {
			t.Errorf("%v: says embedded Redis = %v, want %v: %s", tc.args, got, tc.embedded, stderr)
		}
	}
}

// Settings a user gets wrong in a way Go's own words do not explain are
// refused (exit 2) with what to write instead.
func TestSettingsMistakesSayWhatToWrite(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		// Unquoted, the comma makes two addresses of it.
		{map[string]string{"BULLETIN_FROM": "Acme, Inc <news@example.com>"},
			[]string{"BULLETIN_FROM", `double quotes, like '"Acme, Inc" <news@example.com>'`}},
		{map[string]string{"BULLETIN_SMTP_URL": "smtp://127.0.0.1:abc"},
			[]string{"BULLETIN_SMTP_URL", "the port is a number, like smtp://host:587"}},
		// A folder that cannot be made (the kernel's /proc takes none) is
		// the setting's fault, said as such.
		{map[string]string{"BULLETIN_DATA": "/proc/bulletin-data"},
			[]string{"BULLETIN_DATA /proc/bulletin-data cannot be written (the folder cannot be made there)"}},
		{map[string]string{"BULLETIN_DELIVERY_RETENTION": "0d"},
			[]string{"BULLETIN_DELIVERY_RETENTION", "at least 7 days", "or forever"}},
	} {
		// serve, bounded, for the SMTP URL that seed never opens; it stops
		// before it listens.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		m, _, out := testMain(t, tc.env)
		code := m.Main(ctx, []string{"serve"})
		cancel()
		stderr := out.String()
		if tc.want == nil {
			if code != 0 {
				t.Errorf("%v: exit %d: %s", tc.env, code, stderr)
			}
			continue
		}
		saidOneLine(t, []string{"serve", fmt.Sprint(tc.env)}, code, stderr, 2, tc.want...)
	}
}
