package mailer_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A redisServer is a redis-server of the test's own on 127.0.0.1, which
// it restarts without its data, as an operator's shutdown nosave and
// start do.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

// startRedisServer starts a redis-server keeping nothing on disk on a free
// port from 23500 to 23599, or skips t when there is none.
func startRedisServer(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	for port := 23500; port < 23600; port++ {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		ln.Close()
		r := &redisServer{t: t, port: port}
		r.start()
		t.Cleanup(r.stop)
		return r
	}
	t.Skip("no free port from 23500 to 23599 for a redis-server")
	return nil
}

func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.t.TempDir())
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); rdb.Ping(context.Background()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatal("redis-server did not answer in 10 s")
		}
	}
}

// stop kills the server (what it holds is lost, as with shutdown nosave).
func (r *redisServer) stop() {
	if r.cmd != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// restart stops the server and starts it again, empty, on the same port.
func (r *redisServer) restart() {
	r.stop()
	r.start()
}

// A worker's results that Redis took but the primary had not recorded yet
// when Redis restarted without its data still reach the primary, and the
// batch that the reconciler rebuilds from the deliveries left queued sends
// none of them again: the worker keeps what it wrote until the primary
// has run its task, and writes it again into a Redis that lost it, on its
// own within a second (checker) or before it claims a delivery (claim).
// Both the results and the done hash used to be lost with Redis, and a
// tester's reader got a campaign, then a digest, twice.
func TestResultsLostWithRedisReachThePrimary(t *testing.T) {
	for name, every := range map[string]time.Duration{"checker": 100 * time.Millisecond, "claim": time.Hour} {
		t.Run(name, func(t *testing.T) {
			mailer.SetConfirmEvery(t.Cleanup, every)
			rs := startRedisServer(t)
			q, err := tasks.Open(rs.url())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Close() })
			srv := smtptest.Start(t)
			s := &mailer.Sender{Batch: smtpTo(t, srv), Ledger: &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q}, RecordEvery: 10 * time.Millisecond}
			p := sendPayload(30, time.Now())
			// The primary is not running yet: the results wait in Redis.
			if err := s.Send(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			if got, _ := recorded(t, q); len(got) != len(p.Recipients) {
				t.Fatalf("setup: %d results wait for the primary, want %d", len(got), len(p.Recipients))
			}

			rs.restart()
			pr := startPrimary(t, q)
			if name == "checker" {
				for deadline := time.Now().Add(15 * time.Second); pr.done() < len(p.Recipients) && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond)
				}
				if n := pr.done(); n != len(p.Recipients) {
					t.Errorf("the primary recorded %d of %d results 15 s after Redis restarted", n, len(p.Recipients))
				}
			}
			// The reconciler rebuilds what the primary has no result of.
			if rest := pr.queued(p); len(rest.Recipients) > 0 {
				if err := s.Send(context.Background(), rest); err != nil {
					t.Fatal(err)
				}
			}
			eachOnce(t, srv, p)
			for deadline := time.Now().Add(15 * time.Second); pr.done() < len(p.Recipients) && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
			if n := pr.done(); n != len(p.Recipients) {
				t.Errorf("the primary recorded %d of %d results in the end", n, len(p.Recipients))
			}
		})
	}
}
