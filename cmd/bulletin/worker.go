package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/web"
	"github.com/bulletinhq/bulletin/mailer"
)

// worker runs a stateless send worker: it takes mail:send tasks from Redis,
// sends over SMTP and hands the results back on the results queue, which
// only the primary consumes. It never opens the SQLite file.
func (m *Main) worker(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("worker", args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("worker takes no arguments, got %q", rest[0])
	}
	if m.Config.RedisURL == "" {
		return usagef("worker needs BULLETIN_REDIS_URL: the Redis that \"serve --no-send\" uses")
	}
	// Without a relay the worker wrote the campaign batches it took to
	// this host's outbox and marked them sent, and no reader got them:
	// digest run and import refuse the outbox the same way.
	if m.Config.SMTPURL == "" {
		return usagef("worker needs BULLETIN_SMTP_URL: it sends the campaigns serve queues, and without a mail server they would be written to this host's outbox folder, marked sent and never reach readers")
	}
	// The address before anything is opened, as serve takes its own: a
	// worker that cannot listen must fail before it takes a task, where
	// it used to start sending, then stop on "address already in use".
	ln, err := listen(m.Config.Addr, "worker")
	if err != nil {
		return err
	}
	defer ln.Close() // once served, closed by the server's Shutdown too
	signer, err := m.loadDKIM()
	if err != nil {
		return err
	}
	// The worker opens no database, so the From saved in the settings
	// reaches it with each batch: its EHLO names the domain of the last
	// batch's From, BULLETIN_FROM's before the first.
	var lastFrom atomic.Pointer[string]
	transport, err := smtpTransport(m.Config, func() string {
		if f := lastFrom.Load(); f != nil {
			return *f
		}
		return ""
	})
	if err != nil {
		return err
	}
	defer transport.Close()
	q, err := queue.Open(m.Config.RedisURL)
	if err != nil {
		return err
	}
	defer q.Close()
	if err := pingRedis(ctx, q, false); err != nil {
		return err
	}
	if err := m.checkRedisVersion(ctx, q, false); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	sender := &mailer.Sender{
		Batch:  mailer.Batch(transport, m.Config.SMTPConns),
		Ledger: &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q, Log: m.Log},
		// Each write queues a delivery:record task for the primary: 10 ms
		// keeps those few while what a rerun could send twice stays small.
		RecordEvery: 10 * time.Millisecond,
		Metrics:     mailer.NewMetrics(reg),
		Log:         m.Log,
		Signer:      signer,
		OnFrom:      func(from string) { lastFrom.Store(&from) },
		// Its queue runs nothing but batches: every one it runs waits at
		// the gate while the server refuses every message, none is sent
		// back to the queue to wait there for its retry.
		GateWaiters: sendConcurrency(m.Config),
	}
	reg.MustRegister(web.ResultsHeldGauge(sender.Held))
	mux := asynq.NewServeMux()
	mux.Handle(queue.TypeMailSend, sender)
	srv := asynq.NewServerFromRedisClient(q.Redis(), q.ServerConfig(map[string]int{queue.QueueSend: 1}, sendConcurrency(m.Config), m.Log))
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("start send worker: %w", err)
	}
	defer srv.Shutdown()
	hs := m.workerHTTP(ln, q, reg)
	m.Log.Info("bulletin worker running", "addr", m.Config.Addr, "mail", mailKind(m.Config.SMTPURL), "conns", m.Config.SMTPConns)
	<-ctx.Done()
	m.Log.Info("worker shutting down")
	stopping := time.Now()
	// Hand no more messages to the mail server: the tasks record those on
	// the wire once answered and hand the rest back, well within asynq's
	// few seconds, instead of being abandoned while they send.
	sender.Drain()
	srv.Shutdown()
	// A task asynq gave up on (Redis away) may still wait for its results
	// to be written: the process waits for them too, within the 10 s a
	// stop takes, for their messages would otherwise go again.
	fctx, fcancel := context.WithDeadline(context.Background(), stopping.Add(9*time.Second))
	if !sender.Flushed(fctx) {
		m.Log.Warn("stopping with results not yet written (Redis away): their messages go again when their batch runs again")
	}
	fcancel()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	return nil
}

// sendConcurrency is how many mail:send tasks a process runs at once: each
// hands its messages to the shared stream, so a few keep every connection
// busy while one claims or waits for its last results.
func sendConcurrency(c Config) int { return max(4, c.SMTPConns) }

// workerHTTP serves /healthz, /readyz (Redis) and /metrics on ln, the
// listener of BULLETIN_ADDR.
func (m *Main) workerHTTP(ln net.Listener, q *queue.Queue, reg *prometheus.Registry) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", web.Ready(map[string]web.Check{"redis": q.Ping}, m.Log))
	mux.Handle("GET /metrics", web.GuardMetrics(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), m.Config.MetricsToken, m.Log))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server stopped", "err", err)
		}
	}()
	return hs
}
