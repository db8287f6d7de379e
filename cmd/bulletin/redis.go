package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// redisPingWithin bounds the start-up ping of an external Redis: go-redis
// dials five times, 100 ms apart, before it gives up on a refused port.
const redisPingWithin = 10 * time.Second

// pingRedis checks that the Redis of BULLETIN_REDIS_URL answers before
// serve starts anything on it: serve used to start on an unreachable one
// and flood its log with the client's and asynq's errors, none of which
// named the setting. The embedded Redis needs no check. embeddedOK says
// whether the embedded Redis would do instead, as it would for serve
// alone but not for a worker or serve --no-send, which share the queue.
func pingRedis(ctx context.Context, q *queue.Queue, embeddedOK bool) error {
	if q.Embedded() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, redisPingWithin)
	defer cancel()
	if err := q.Redis().Ping(ctx).Err(); err != nil {
		// A Redis that refuses the password answered: "does not answer
		// …: start it" sent the operator to a server that runs.
		if msg := err.Error(); strings.HasPrefix(msg, "WRONGPASS") || strings.HasPrefix(msg, "NOAUTH") {
			refused := "refused the password"
			if strings.HasPrefix(msg, "NOAUTH") {
				refused = "requires a password, and none was given" // NOAUTH: nothing was sent
			}
			return fmt.Errorf("BULLETIN_REDIS_URL: the Redis at %s %s (%v): "+
				"write the password it requires in BULLETIN_REDIS_URL, like redis://:PASSWORD@host:port/0, its @ : / ? # %% written %%40 %%3A %%2F %%3F %%23 %%25",
				queue.RedisAddr(q.Opt), refused, err)
		}
		// SELECT of a database the server does not have: it answered.
		if strings.HasPrefix(err.Error(), "ERR DB index is out of range") {
			return fmt.Errorf("BULLETIN_REDIS_URL: the Redis at %s has no database of the number at the URL's end (%v): "+
				"use one it has, like redis://host:port/0 (0 to 15, unless its databases setting allows more)", queue.RedisAddr(q.Opt), err)
		}
		fix := "start it, or correct BULLETIN_REDIS_URL"
		if embeddedOK {
			fix = "start it, correct BULLETIN_REDIS_URL, or leave BULLETIN_REDIS_URL empty for the embedded Redis"
		}
		return fmt.Errorf("BULLETIN_REDIS_URL: the Redis at %s does not answer (%v): %s", queue.RedisAddr(q.Opt), err, fix)
	}
	return nil
}

// checkRedisVersion refuses a Redis of BULLETIN_REDIS_URL older than 6.2
// at start-up: a worker's claim reads a chunk's departures with ZMSCORE,
// new in 6.2, and on an older Redis every claim would fail once a
// campaign went out. It refuses only a redis_version INFO gives that
// reads as older: Redis-compatible servers report their own fields
// (Valkey gives redis_version 7.2.4 for compatibility), and a Redis whose
// ACL denies INFO may well be new enough, so that is only warned about.
// embeddedOK is pingRedis's.
func (m *Main) checkRedisVersion(ctx context.Context, q *queue.Queue, embeddedOK bool) error {
	if q.Embedded() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, redisPingWithin)
	defer cancel()
	info, err := q.Redis().Info(ctx, "server").Result()
	if err != nil {
		m.Log.Warn("could not read the Redis version (INFO server); Bulletin needs Redis 6.2 or newer", "redis", queue.RedisAddr(q.Opt), "err", err)
		return nil
	}
	version, old := redisTooOld(info)
	if !old {
		return nil
	}
	fix := "upgrade it, or point BULLETIN_REDIS_URL at a newer one"
	if embeddedOK {
		fix = "upgrade it, point BULLETIN_REDIS_URL at a newer one, or leave BULLETIN_REDIS_URL empty for the embedded Redis"
	}
	return fmt.Errorf("BULLETIN_REDIS_URL: the Redis at %s is version %s; Bulletin needs Redis 6.2 or newer: %s", queue.RedisAddr(q.Opt), version, fix)
}

// redisTooOld reads the redis_version of info, the answer to INFO server,
// and reports whether it is older than 6.2. A version missing, or that
// does not read as major.minor, is not too old.
func redisTooOld(info string) (version string, old bool) {
	for _, line := range strings.Split(info, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:")
		if !ok {
			continue
		}
		parts := strings.SplitN(v, ".", 3)
		if len(parts) < 2 {
			return v, false
		}
		major, err1 := strconv.Atoi(parts[0])
		minor, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil {
			return v, false
		}
		return v, major < 6 || major == 6 && minor < 2
	}
	return "", false
}

// redisLog is where go-redis's own log lines go: the log of the last Main
// that parsed its flags. go-redis keeps one logger for the process, which
// wrote raw lines to stderr ("redis: 2026/12/03 … pool.go:770: …
// connection refused") beside slog's; a pointer swapped atomically lets
// tests run several Mains at once.
var redisLog struct {
	once sync.Once
	to   atomic.Pointer[slog.Logger]
}

// routeRedisLog sends go-redis's log lines to l from now on.
func routeRedisLog(l *slog.Logger) {
	redisLog.to.Store(l)
	redisLog.once.Do(func() { redis.SetLogger(redisLogger{}) })
}

// redisLogger is go-redis's logger on slog. A failed dial is at debug:
// the command that needed the connection fails with the same error, and
// asynq (its "Dequeue error", at most one a few seconds) or Bulletin says
// so. Anything else is a warning, its first line only (go-redis appends
// stack traces to some).
type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l := redisLog.to.Load()
	if l == nil {
		return
	}
	msg := strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: ")
	msg, _, _ = strings.Cut(msg, "\n")
	level := slog.LevelWarn
	if strings.Contains(msg, "failed to dial") || strings.Contains(msg, "connection refused") {
		level = slog.LevelDebug
	}
	l.Log(ctx, level, msg, "component", "redis")
}
