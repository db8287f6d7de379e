package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// "digest run" with the embedded Redis builds the digest and sends every
// copy before it exits; a second run finds no new article.
func TestDigestRunCommand(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	m, stdout, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 {
		t.Fatalf("digest run exited %d: %s", code, stderr)
	}
	got := regexp.MustCompile(`digest \d+ for daily-news: (\d+) articles, (\d+) recipients\nsent (\d+), failed 0, bounced 0, skipped 0, still queued 0`).FindStringSubmatch(stdout.String())
	if got == nil || got[1] == "0" || got[2] != got[3] {
		t.Fatalf("digest run printed %q", stdout)
	}
	files, _ := filepath.Glob(filepath.Join(env["BULLETIN_DATA"], "outbox", "*.eml"))
	if n, _ := strconv.Atoi(got[2]); len(files) != n {
		t.Errorf("outbox has %d messages for %d recipients", len(files), n)
	}

	m, stdout, _ = testMain(t, env)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 || !strings.Contains(stdout.String(), "no new articles in daily-news") {
		t.Errorf("second run: exit %d, %q", code, stdout)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"digest", "run"}, 2, "use: bulletin digest run --list SLUG"},
		{[]string{"digest", "run", "--list", "nope"}, 1, "nope"},
	} {
		m, _, stderr := testMain(t, env)
		if code := m.Main(context.Background(), tc.args); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, stderr)
		}
	}
}
