package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A worker that cannot write the results of what it sent holds them and
// sends no more mail: its /metrics said nothing of it. It reports
// bulletin_send_results_held, its sender's Held, 0 while all is written.
func TestWorkerMetricsReportResultsHeld(t *testing.T) {
	addr := freeAddr(t)
	env := map[string]string{
		"BULLETIN_ADDR":      addr,
		"BULLETIN_REDIS_URL": testRedis(t, queuetest.DBWorkers),
		"BULLETIN_SMTP_URL":  smtptest.Start(t).URL(),
	}
	m, _, stderr := testMain(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() { exit <- m.Main(ctx, []string{"worker"}) }()
	defer func() {
		cancel()
		select {
		case code := <-exit:
			if code != 0 {
				t.Errorf("worker exited %d:\n%s", code, stderr)
			}
		case <-time.After(15 * time.Second):
			t.Error("the worker did not stop within 15 s")
		}
	}()
	want := "# HELP bulletin_send_results_held Results of messages sent that this process holds in memory, as they cannot be written; it sends no more mail until they are.\n" +
		"# TYPE bulletin_send_results_held gauge\nbulletin_send_results_held 0\n"
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case code := <-exit:
			exit <- code
			t.Fatalf("worker exited %d before it served /metrics:\n%s", code, stderr)
		default:
		}
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			continue // not listening yet
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if body = string(b); resp.StatusCode == http.StatusOK {
			break
		}
	}
	if !strings.Contains(body, want) {
		t.Errorf("the worker's /metrics lacks %q:\n%s", want, body)
	}
	if strings.Contains(body, "bulletin_deliveries_queued") {
		t.Error("the worker, which has no database, reports bulletin_deliveries_queued")
	}
}

// serve's /metrics reports the deliveries queued in its SQLite and the
// results its own sender holds: both gauges, 0 on a fresh install.
func TestServeMetricsReportQueuedAndHeld(t *testing.T) {
	m, _, stderr := testMain(t, nil)
	base, stop := startServe(t, m)
	_, body := get(t, base+"/metrics")
	for _, want := range []string{
		"# TYPE bulletin_deliveries_queued gauge\nbulletin_deliveries_queued 0\n",
		"# TYPE bulletin_send_results_held gauge\nbulletin_send_results_held 0\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("serve's /metrics lacks %q:\n%s", want, body)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d:\n%s", code, stderr)
	}
}
