package queuetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Databases of the real Redis in BULLETIN_TEST_REDIS_URL, one per package
// or test that uses it: "go test ./..." runs packages in parallel, and each
// empties its database first, which must not wipe another's tasks.
const (
	DBQueue   = 1  // internal/queue
	DBServe   = 2  // cmd/bulletin: serve on a real Redis
	DBWorkers = 11 // cmd/bulletin: serve --no-send with send workers
	DBGone    = 12 // cmd/bulletin: workers skipping readers who left
	DBMailer  = 13 // mailer: a worker's ledger
)

// RedisURL returns BULLETIN_TEST_REDIS_URL with its database number set to
// db, after emptying that database, or skips t when the variable is unset.
func RedisURL(t testing.TB, db int) string {
	t.Helper()
	raw := os.Getenv("BULLETIN_TEST_REDIS_URL")
	if raw == "" {
		t.Skip("BULLETIN_TEST_REDIS_URL is not set: .ci/run starts a redis-server for these tests")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("BULLETIN_TEST_REDIS_URL: use redis://host:port/0")
	}
	u.Path = fmt.Sprintf("/%d", db)
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		t.Fatalf("BULLETIN_TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("empty test Redis database %d: %v", db, err)
	}
	return u.String()
}
