package main

import (
	"bytes"
	"log/slog"
	"net"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A worker's /readyz answers as serve's does, {"checks":{…},"status":…},
// so that one monitor reads both, and logs why Redis is down.
func TestWorkerReadyzAnswersAsServes(t *testing.T) {
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer mr.Close()
	q, err := queue.Open("redis://" + mr.Addr() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	m := &Main{Log: slog.New(slog.NewTextHandler(&log, nil))}
	hs := m.workerHTTP(ln, q, prometheus.NewRegistry())
	defer hs.Close()
	url := "http://" + ln.Addr().String() + "/readyz"
	if code, body := get(t, url); code != 200 || body != `{"checks":{"redis":"ok"},"status":"ok"}`+"\n" {
		t.Errorf("/readyz with Redis up = %d %q", code, body)
	}
	mr.Close()
	if code, body := get(t, url); code != 503 || body != `{"checks":{"redis":"down"},"status":"unavailable"}`+"\n" {
		t.Errorf("/readyz with Redis down = %d %q", code, body)
	}
	if !bytes.Contains(log.Bytes(), []byte(`msg="readiness check failed" check=redis`)) {
		t.Errorf("no log line says why the worker is not ready:\n%s", log.String())
	}
}
