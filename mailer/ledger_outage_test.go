package mailer_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// cutProxy stands between a worker and its Redis on 127.0.0.1: while cut,
// it closes every connection it holds and every one made, as a Redis
// restarting does.
type cutProxy struct {
	ln    net.Listener
	to    string
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func newCutProxy(t *testing.T, to string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, to: to}
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

func (p *cutProxy) serve(c net.Conn) {
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.to)
	if err != nil {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

// setCut cuts the way to Redis (closing what is open) or opens it again.
func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// A worker whose Redis goes away for a second while its batch's messages
// go out writes their results once Redis is back, and its task returns
// with nothing to send again. It used to return at once with the results
// of the messages sent meanwhile unwritten, and the task's rerun sent
// them all a second time (hundreds for a restart of seconds).
func TestWorkerWritesItsResultsOnceRedisIsBack(t *testing.T) {
	q := queuetest.Embedded(t)
	opt := q.Opt.(asynq.RedisClientOpt)
	proxy := newCutProxy(t, opt.Addr)
	rdb := redis.NewClient(&redis.Options{Addr: proxy.addr(), Password: opt.Password, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	enq := asynq.NewClientFromRedisClient(rdb)
	srv := smtptest.Start(t)
	s := &mailer.Sender{Batch: mailtest.SlowSMTPTo(t, srv.URL(), 40), Ledger: &mailer.RedisLedger{Redis: rdb, Enqueuer: enq}, RecordEvery: 10 * time.Millisecond}
	p := sendPayload(60, time.Now())

	done := sendInBackground(t, s, p, srv, 5)
	proxy.setCut(true)
	cutAt := srv.Total()
	time.Sleep(time.Second)
	if during := srv.Total() - cutAt; during < 10 {
		t.Fatalf("setup: %d messages went out while Redis was away, want many", during)
	}
	proxy.setCut(false)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the batch, Redis back: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the batch did not end in 60 s")
	}
	if n, err := q.Redis().HLen(context.Background(), tasks.DoneKey(p.CampaignID)).Result(); err != nil || n != 60 {
		t.Errorf("the worker remembers %d of 60 results (%v)", n, err)
	}
	// The task's rerun, as a retry would run it, sends nothing again.
	if err := s.Send(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	eachOnce(t, srv, p)
}

// A worker told to stop (Drain, at SIGTERM) hands no more messages of its
// batch to a slow mail server: those on the wire are answered and
// remembered, the rest go back to the primary as to be retried and the
// task returns an error marked ErrHandedBack (a retry, not a failure),
// within a second rather than after asynq's shutdown wait. The task's
// next run, in a worker that runs, sends the rest: every reader gets the
// campaign once.
func TestDrainedWorkerHandsTheRestOfItsBatchBack(t *testing.T) {
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	ledger := &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q.Client}
	s := &mailer.Sender{Batch: mailtest.SlowSMTPTo(t, srv.URL(), 20), Ledger: ledger}
	p := sendPayload(40, time.Now())

	done := sendInBackground(t, s, p, srv, 3)
	s.Drain()
	drained := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, tasks.ErrHandedBack) {
			t.Fatalf("a drained batch returned %v, want an ErrHandedBack", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("a drained batch went on for 30 s; %d sent", srv.Total())
	}
	if took := time.Since(drained); took > 2*time.Second {
		t.Errorf("the drained batch took %v to return", took)
	}
	sent := srv.Total()
	if sent > 10 {
		t.Errorf("%d of 40 messages sent after the drain at 3", sent)
	}
	if n, err := q.Redis().HLen(context.Background(), tasks.DoneKey(p.CampaignID)).Result(); err != nil || int(n) != sent {
		t.Errorf("the worker remembers %d results for %d sent (%v)", n, sent, err)
	}
	got, _ := recorded(t, q)
	retry := 0
	for _, st := range got {
		if st == tasks.ResultRetry {
			retry++
		}
	}
	if retry != 40-sent {
		t.Errorf("%d results to be retried went to the primary, want %d", retry, 40-sent)
	}

	next := &mailer.Sender{Batch: smtpTo(t, srv), Ledger: ledger}
	if err := next.Send(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	eachOnce(t, srv, p)
}

// A worker told to stop while Redis is away stops handing messages over
// at once, though its read of the stop flag hangs in the Redis client's
// retries (it sent on for most of a second); it holds the results it
// could not write, Flushed says so, and writes them once Redis is back,
// so that the batch's next run sends none of them again.
func TestDrainWhileRedisIsAway(t *testing.T) {
	q := queuetest.Embedded(t)
	opt := q.Opt.(asynq.RedisClientOpt)
	proxy := newCutProxy(t, opt.Addr)
	rdb := redis.NewClient(&redis.Options{Addr: proxy.addr(), Password: opt.Password}) // the client's own retries, as a worker's
	t.Cleanup(func() { rdb.Close() })
	srv := smtptest.Start(t)
	ledger := &mailer.RedisLedger{Redis: rdb, Enqueuer: asynq.NewClientFromRedisClient(rdb)}
	s := &mailer.Sender{Batch: mailtest.SlowSMTPTo(t, srv.URL(), 40), Ledger: ledger, StopEvery: 20 * time.Millisecond, RecordEvery: 10 * time.Millisecond}
	p := sendPayload(80, time.Now())

	done := sendInBackground(t, s, p, srv, 5)
	proxy.setCut(true)
	time.Sleep(200 * time.Millisecond)
	atDrain := srv.Total()
	s.Drain()
	time.Sleep(time.Second)
	if after := srv.Total() - atDrain; after > 5 {
		t.Errorf("%d messages sent in the second after the drain, Redis away", after)
	}
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	if s.Flushed(short) {
		t.Error("Flushed says every result is written while Redis is away")
	}
	cancel()
	proxy.setCut(false)
	long, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if !s.Flushed(long) {
		t.Fatal("results still unwritten 60 s after Redis came back")
	}
	select {
	case err := <-done:
		if !errors.Is(err, tasks.ErrHandedBack) {
			t.Fatalf("the drained batch returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the drained batch did not return")
	}
	sent := srv.Total()
	if n, err := q.Redis().HLen(context.Background(), tasks.DoneKey(p.CampaignID)).Result(); err != nil || int(n) != sent {
		t.Errorf("the worker remembers %d results for %d sent (%v)", n, sent, err)
	}
	next := &mailer.Sender{Batch: smtpTo(t, srv), Ledger: &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q.Client}}
	if err := next.Send(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	eachOnce(t, srv, p)
}

// sendInBackground sends p with s in a goroutine, as a task runs, and
// returns once srv has taken at least n messages; the channel gets what
// the send returned.
func sendInBackground(t *testing.T, s *mailer.Sender, p *tasks.SendPayload, srv *smtptest.Server, n int) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Send(context.Background(), p) }()
	for deadline := time.Now().Add(30 * time.Second); srv.Total() < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages sent in 30 s", srv.Total())
		}
	}
	return done
}

// eachOnce checks that every recipient of p got one copy from srv.
func eachOnce(t *testing.T, srv *smtptest.Server, p *tasks.SendPayload) {
	t.Helper()
	for _, r := range p.Recipients {
		if n := srv.Count(r.Email); n != 1 {
			t.Errorf("%s got %d copies, want 1", r.Email, n)
		}
	}
}
