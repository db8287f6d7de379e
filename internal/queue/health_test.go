package queue

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// syncBuffer is a log's output read while the log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// count returns how many lines of the log contain sub.
func (s *syncBuffer) count(sub string) int {
	n := 0
	for _, line := range strings.Split(s.String(), "\n") {
		if strings.Contains(line, sub) {
			n++
		}
	}
	return n
}

// startPasswordRedis starts a redis-server of the test's own, keeping
// nothing, that requires password, on a free port from 19050 to 19098,
// and returns its port and a function starting it again; t's end kills it.
func startPasswordRedis(t *testing.T, password string) (port int, kill, start func()) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	for p := 19050; p <= 19098 && port == 0; p++ {
		if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
			ln.Close()
			port = p
		}
	}
	if port == 0 {
		t.Skip("no free port from 19050 to 19098 for a redis-server")
	}
	var cmd *exec.Cmd
	kill = func() {
		if cmd != nil {
			cmd.Process.Kill()
			cmd.Wait()
			cmd = nil
		}
	}
	dir := t.TempDir()
	start = func() {
		t.Helper()
		cmd = exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--requirepass", password)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), Password: password})
		defer rdb.Close()
		for deadline := time.Now().Add(10 * time.Second); rdb.Ping(context.Background()).Err() != nil; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("redis-server did not answer in 10 s")
			}
		}
	}
	start()
	t.Cleanup(kill)
	return port, kill, start
}

// A Redis of BULLETIN_REDIS_URL that stops answering is said once in
// Bulletin's words, naming its address and never its password, and once
// when it answers again; asynq's errors said every few seconds meanwhile
// are logged once. A tester found only asynq's ~40 lines in 30 s.
func TestRedisAwaySaidOnceAndBack(t *testing.T) {
	const password = "s3cretRedisPw"
	port, kill, start := startPasswordRedis(t, password)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	defer func(every time.Duration) { healthProbeEvery = every }(healthProbeEvery)
	healthProbeEvery = 200 * time.Millisecond

	q, err := Open("redis://:" + password + "@" + addr + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	var out syncBuffer
	log := slog.New(slog.NewTextHandler(&out, nil))

	srv := asynq.NewServerFromRedisClient(q.Redis(), q.ServerConfig(map[string]int{QueueDefault: 1}, 2, log))
	if err := srv.Start(asynq.NewServeMux()); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	sched := asynq.NewScheduler(q.Opt, &asynq.SchedulerOpts{Logger: q.Logger(log), LogLevel: asynq.WarnLevel})
	if _, err := sched.Register("@every 1h", NewReconcileTask()); err != nil {
		t.Fatal(err)
	}
	if err := sched.Start(); err != nil {
		t.Fatal(err)
	}
	defer sched.Shutdown()
	time.Sleep(500 * time.Millisecond)

	kill()
	const away = "Redis at " + "127.0.0.1:"
	// asynq says "Dequeue error" every 3 s, and its heartbeats fail every
	// 5 s: 11 s without Redis gave some 6 lines of asynq's.
	time.Sleep(11 * time.Second)
	if n := out.count("does not answer"); n != 1 {
		t.Errorf("Bulletin said Redis does not answer %d times, want once:\n%s", n, out.String())
	}
	if n := out.count(away + strconv.Itoa(port) + " does not answer: nothing is sent until it is back"); n != 1 {
		t.Errorf("no line names the Redis at %s and what waits:\n%s", addr, out.String())
	}
	if n := out.count("Dequeue error"); n != 1 {
		t.Errorf("asynq's Dequeue error logged %d times in 11 s, want once:\n%s", n, out.String())
	}
	if n := out.count("component=asynq"); n > 4 {
		t.Errorf("%d lines of asynq's in 11 s, want one of each error:\n%s", n, out.String())
	}

	start()
	deadline := time.Now().Add(10 * time.Second)
	for out.count("answers again") == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if n := out.count(away + strconv.Itoa(port) + " answers again"); n != 1 {
		t.Errorf("Bulletin said Redis answers again %d times, want once:\n%s", n, out.String())
	}
	if strings.Contains(out.String(), password) {
		t.Errorf("the log shows the Redis password:\n%s", out.String())
	}
	t.Logf("log:\n%s", out.String())
}

// asynq's repeats of one line are held back for asynqRepeatsEvery, then
// logged once with how many were held back; other lines are not.
func TestAsynqRepeatsHeldBack(t *testing.T) {
	var out syncBuffer
	l := newLogger(slog.New(slog.NewTextHandler(&out, nil)))
	for i := 0; i < 5; i++ {
		l.Error("Dequeue error: dial tcp 127.0.0.1:1: connect: connection refused")
		l.Warn("Retry exhausted for task id=" + strconv.Itoa(i))
	}
	if n := out.count("Dequeue error"); n != 1 {
		t.Errorf("a line said 5 times logged %d times, want once:\n%s", n, out.String())
	}
	if n := out.count("Retry exhausted"); n != 5 {
		t.Errorf("5 different lines logged %d times:\n%s", n, out.String())
	}
	ok, held := l.repeats.allow("Dequeue error: dial tcp 127.0.0.1:1: connect: connection refused", time.Now().Add(asynqRepeatsEvery))
	if !ok || held != 4 {
		t.Errorf("a minute later: logged %v with %d held back, want true and 4", ok, held)
	}
}
