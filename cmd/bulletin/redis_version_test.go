package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2/server"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// Only a redis_version that reads as older than 6.2 is too old: a
// Redis-compatible server's own fields, a version missing or one that
// does not read as major.minor let Bulletin start.
func TestRedisTooOld(t *testing.T) {
	for _, c := range []struct {
		name, info string
		version    string
		old        bool
	}{
		{"Redis 6.0", "# Server\r\nredis_version:6.0.16\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n", "6.0.16", true},
		{"Redis 5", "# Server\r\nredis_version:5.0.7\r\n", "5.0.7", true},
		{"Redis 6.2", "# Server\r\nredis_version:6.2.0\r\nredis_mode:standalone\r\n", "6.2.0", false},
		{"Redis 7", "# Server\r\nredis_version:7.0.15\r\n", "7.0.15", false},
		{"Redis 10", "# Server\r\nredis_version:10.0.1\r\n", "10.0.1", false},
		{"Valkey", "# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n", "7.2.4", false},
		{"no redis_version", "# Server\r\nserver_name:someproxy\r\nproxy_version:1.0\r\n", "", false},
		{"a longer field's name", "# Server\r\nredis_version_old:5.0.0\r\n", "", false},
		{"garbage version", "# Server\r\nredis_version:unknown\r\n", "unknown", false},
		{"garbage text", "\x00 not an INFO answer at all", "", false},
		{"empty", "", "", false},
	} {
		version, old := redisTooOld(c.info)
		if version != c.version || old != c.old {
			t.Errorf("%s: redisTooOld = %q, %v; want %q, %v", c.name, version, old, c.version, c.old)
		}
	}
}

// fakeRedis serves, on a loopback port, the little of Redis that a start
// needs: AUTH with password, PING, and INFO answered by info (an answer,
// or an error when errMsg is set). Anything else, HELLO included, is an
// unknown command, as on a Redis older than 6, and go-redis falls back
// to AUTH.
func fakeRedis(t *testing.T, password, info, errMsg string) string {
	t.Helper()
	srv, err := server.NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.Register("AUTH", func(c *server.Peer, _ string, args []string) {
		if len(args) == 0 || args[len(args)-1] != password {
			c.WriteError("WRONGPASS invalid username-password pair")
			return
		}
		c.WriteOK()
	})
	srv.Register("PING", func(c *server.Peer, _ string, _ []string) { c.WriteInline("PONG") })
	srv.Register("INFO", func(c *server.Peer, _ string, _ []string) {
		if errMsg != "" {
			c.WriteError(errMsg)
			return
		}
		c.WriteBulk(info)
	})
	return srv.Addr().String()
}

// serve and a worker on a Redis older than 6.2 stop at once with one line
// that names the server and its version and says what to fix, never the
// password; a worker is not told to use the embedded Redis.
func TestServeAndWorkerRefuseARedisOlderThan62(t *testing.T) {
	addr := fakeRedis(t, "hunter2pass", "# Server\r\nredis_version:6.0.16\r\nredis_mode:standalone\r\n", "")
	for _, cmd := range []string{"serve", "worker"} {
		t.Run(cmd, func(t *testing.T) {
			var log bytes.Buffer
			env := map[string]string{"BULLETIN_REDIS_URL": "redis://:hunter2pass@" + addr + "/0"}
			if cmd == "worker" {
				env["BULLETIN_SMTP_URL"] = smtptest.Start(t).URL() // refused without, before Redis
			}
			m, _, stderr := testMain(t, env)
			m.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			// Bounded: one that starts anyway stops when ctx ends, exit 0.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			code := m.Main(ctx, []string{cmd})
			saidOneLine(t, []string{cmd}, code, stderr.String(), 1,
				"BULLETIN_REDIS_URL", "the Redis at "+addr+" is version 6.0.16", "needs Redis 6.2 or newer", "upgrade it")
			if strings.Contains(stderr.String()+log.String(), "hunter2pass") {
				t.Errorf("the password was shown:\n%s%s", stderr, log.String())
			}
			if embedded := strings.Contains(stderr.String(), "embedded Redis"); embedded != (cmd == "serve") {
				t.Errorf("%s: the line mentions the embedded Redis: %v, want %v:\n%s", cmd, embedded, cmd == "serve", stderr)
			}
		})
	}
}

// A Redis whose ACL denies INFO, or that answers it with no
// redis_version, may well be new enough: the check warns, or says
// nothing, and lets Bulletin start.
func TestRedisVersionUnknownIsNotRefused(t *testing.T) {
	for _, c := range []struct {
		name, info, errMsg, warn string
	}{
		{"INFO denied", "", "NOPERM User bulletin has no permissions to run the 'info' command", "NOPERM"},
		{"no redis_version", "# Server\r\nserver_name:someproxy\r\n", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := fakeRedis(t, "hunter2pass", c.info, c.errMsg)
			q, err := queue.Open("redis://:hunter2pass@" + addr + "/0")
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			var log bytes.Buffer
			m := &Main{Log: slog.New(slog.NewTextHandler(&log, nil))}
			if err := m.checkRedisVersion(context.Background(), q, false); err != nil {
				t.Fatalf("refused: %v", err)
			}
			warned := strings.Contains(log.String(), "level=WARN")
			if c.warn == "" && warned || c.warn != "" && (!warned || !strings.Contains(log.String(), c.warn) || !strings.Contains(log.String(), addr)) {
				t.Errorf("log, want a warning naming %s: %v:\n%s", addr, c.warn != "", log.String())
			}
			if strings.Contains(log.String(), "hunter2pass") {
				t.Errorf("the password was logged:\n%s", log.String())
			}
		})
	}
}
