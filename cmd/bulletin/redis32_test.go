package main

import (
	"bytes"
	"context"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/loopback"
)

// serve on a BULLETIN_REDIS_URL that does not answer stops at once with
// one line naming the setting (never its password), as the worker does;
// it used to start and flood its log with go-redis's and asynq's errors.
func TestServeRefusesAnUnreachableRedis(t *testing.T) {
	addr := loopback.ClosedAddr(t)
	var log bytes.Buffer
	m, _, stderr := testMain(t, map[string]string{"BULLETIN_REDIS_URL": "redis://:hunter2pass@" + addr + "/0"})
	m.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Bounded: a serve that starts anyway stops when ctx ends, exit 0.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := m.Main(ctx, []string{"serve"})
	saidOneLine(t, []string{"serve"}, code, stderr.String(), 1, "BULLETIN_REDIS_URL", addr, "connection refused", "embedded Redis")
	if strings.Contains(stderr.String()+log.String(), "hunter2pass") {
		t.Errorf("the password was shown:\n%s%s", stderr, log.String())
	}
	// go-redis's own lines come through slog, a failed dial at debug.
	if !strings.Contains(log.String(), "level=DEBUG") || !strings.Contains(log.String(), "component=redis") {
		t.Errorf("go-redis's lines are not in the log at debug:\n%s", log.String())
	}
	if strings.Contains(log.String(), "level=INFO msg=\"bulletin serving\"") {
		t.Errorf("serve started:\n%s", log.String())
	}
}

// The binary says the same in one line, with no raw "redis: …" line
// beside it.
func TestServeBinaryUnreachableRedisOneLine(t *testing.T) {
	bin := binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = []string{"BULLETIN_DATA=" + t.TempDir(), "BULLETIN_ADDR=" + loopback.ClosedAddr(t), "BULLETIN_REDIS_URL=redis://" + loopback.ClosedAddr(t) + "/0"}
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
		t.Fatalf("serve: %v\n%s", err, out)
	}
	if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "BULLETIN_REDIS_URL") {
		t.Errorf("serve said, want one line naming BULLETIN_REDIS_URL:\n%s", out)
	}
}
