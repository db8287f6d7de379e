package main

import (
	"context"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A Redis that refuses the password of BULLETIN_REDIS_URL, or asks for
// one, answered: the start-up check says so and what to write, not that
// it "does not answer" and to start it.
func TestPingRedisNamesARefusedPassword(t *testing.T) {
	mr := miniredis.NewMiniRedis()
	mr.RequireAuth("the-right-one")
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer mr.Close()
	for _, tc := range []struct{ url, says string }{
		{"redis://:wrong-one@" + mr.Addr() + "/0", "refused the password"},
		{"redis://" + mr.Addr() + "/0", "requires a password, and none was given"},
	} {
		url := tc.url
		q, err := queue.Open(url)
		if err != nil {
			t.Fatal(err)
		}
		err = pingRedis(context.Background(), q, false)
		q.Close()
		if err == nil || !strings.Contains(err.Error(), "BULLETIN_REDIS_URL: the Redis at "+mr.Addr()+" "+tc.says) ||
			!strings.Contains(err.Error(), "write the password it requires in BULLETIN_REDIS_URL") || strings.Contains(err.Error(), "does not answer") {
			t.Errorf("%s: err = %v", url, err)
		}
	}
}

// A database number the Redis does not have is its own fault, said as
// such: the Redis answered, so "does not answer … start it" was wrong.
func TestPingRedisNamesADatabaseOutOfRange(t *testing.T) {
	srv, err := server.NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Register("SELECT", func(c *server.Peer, _ string, _ []string) { c.WriteError("ERR DB index is out of range") })
	srv.Register("PING", func(c *server.Peer, _ string, _ []string) { c.WriteInline("PONG") })
	addr := srv.Addr().String()
	q, err := queue.Open("redis://" + addr + "/16")
	if err != nil {
		t.Fatal(err)
	}
	err = pingRedis(context.Background(), q, false)
	q.Close()
	if err == nil || !strings.Contains(err.Error(), "the Redis at "+addr+" has no database of the number at the URL's end") ||
		!strings.Contains(err.Error(), "like redis://host:port/0") || strings.Contains(err.Error(), "does not answer") {
		t.Errorf("err = %v", err)
	}
}
