package main

import (
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// BenchmarkCampaignDKIM sends a campaign of BULLETIN_BENCH_N (default
// 20,000) recipients through a real `bulletin serve` to a local SMTP server
// that accepts and discards, unsigned and then signed with an RSA-2048 key
// made by `bulletin dkim keygen`, and in the same run times the limit
// signing sets: a bare loop that only signs messages of the same size with
// the same key on every core. The SMTP sink runs in the benchmark's own
// process and shares the cores with serve; its CPU time during the signed
// campaign is reported too. With BULLETIN_TEST_REDIS_URL set it also
// sends the signed campaign by `serve --no-send` and one, then two,
// `bulletin worker` processes. Per-core figures are messages per CPU second
// of the sending processes, to size a fleet by.
//
//	BULLETIN_INTEGRATION=1 go test ./cmd/bulletin -run '^$' -bench CampaignDKIM -benchtime 1x
func BenchmarkCampaignDKIM(b *testing.B) {
	n := benchN(20_000)
	smtp := smtptest.Start(b, smtptest.WithDiscard(), smtptest.WithBatchedReplies())
	for b.Loop() {
		c := newCluster(b, n, 0, "BULLETIN_SMTP_URL="+smtp.URL(), benchFrom)
		c.benchKey()
		unsigned := deliverCampaign(b, c, smtp, n, campaignBody)
		c.env = append(c.env, "BULLETIN_DKIM_SELECTOR=bench")
		sink0 := cpuSeconds(os.Getpid()) // this process runs the SMTP sink
		signed := deliverCampaign(b, c, smtp, n, campaignBody)
		sink := cpuSeconds(os.Getpid()) - sink0
		key, err := dkim.Load(filepath.Join(c.data, "dkim"), "bench", "rsa")
		if err != nil {
			b.Fatal(err)
		}
		bare, bareCPU := signOnlyRate(b, key, signed.size, n)
		b.ReportMetric(unsigned.rate, "unsigned_msgs/s")
		b.ReportMetric(signed.rate, "signed_msgs/s")
		b.ReportMetric(bare, "sign_only_msgs/s")
		b.ReportMetric(signed.rate/bare, "ratio")
		b.ReportMetric(float64(n)/signed.cpu, "signed_msgs/cpu_s")
		// Per CPU second, serve against the loop: the ratio with the
		// sink's share of the cores left out, as when the relay runs on
		// a machine of its own.
		b.ReportMetric(float64(n)/signed.cpu/bareCPU, "ratio_per_cpu")
		b.ReportMetric(signed.rss/1024, "serve_peak_rss_MB")
		b.ReportMetric(sink, "sink_cpu_s")
		b.Logf("n=%d size %d B, %d cores: unsigned %.0f/s; RSA-signed %.0f/s; sign-only loop %.0f/s (%.0f per CPU second); ratio %.2f; serve used %.1f CPU s (%.0f signed msgs per CPU second), peak RSS %.1f MB; the SMTP sink used %.1f CPU s meanwhile",
			n, signed.size, runtime.NumCPU(), unsigned.rate, signed.rate, bare, bareCPU, signed.rate/bare, signed.cpu, float64(n)/signed.cpu, signed.rss/1024, sink)
		if os.Getenv("BULLETIN_TEST_REDIS_URL") == "" {
			continue
		}
		url := queuetest.RedisURL(b, queuetest.DBWorkers)
		c.env = append(c.env, "BULLETIN_REDIS_URL="+url, "BULLETIN_DKIM_DIR="+filepath.Join(c.data, "dkim"))
		one := deliverByWorkers(b, c, smtp, n, campaignBody, 1)
		two := deliverByWorkers(b, c, smtp, n, campaignBody, 2)
		b.ReportMetric(one.rate, "one_worker_msgs/s")
		b.ReportMetric(two.rate, "two_workers_msgs/s")
		b.ReportMetric(two.rate/one.rate, "scaling")
		b.Logf("send workers on Redis: one %.0f/s (%.0f per worker CPU second), two %.0f/s (%.0f per worker CPU second): %.2f×",
			one.rate, float64(n)/one.cpu, two.rate, float64(n)/two.cpu, two.rate/one.rate)
	}
}

// deliverByWorkers sends a campaign to the cluster's n subscribers by
// `serve --no-send` and k workers, timing it until the server has accepted
// all n; cpu is the workers' CPU time.
func deliverByWorkers(b *testing.B, c *cluster, smtp *smtptest.Server, n int, body string, k int) delivery {
	serve, addr := c.start("serve-nosend", "serve", "--no-send")
	defer func() { serve.Process.Kill(); serve.Wait() }()
	var pids []int
	for i := range k {
		w, _ := c.start(fmt.Sprintf("worker%d", i+1), "worker")
		defer func() { w.Process.Kill(); w.Wait() }()
		pids = append(pids, w.Process.Pid)
	}
	before := smtp.Total()
	var cpu0 float64 // starting up is not the campaign's
	for _, pid := range pids {
		cpu0 += cpuSeconds(pid)
	}
	start := time.Now()
	id := c.startCampaignBody(addr, body)
	for smtp.Total() < before+n {
		time.Sleep(5 * time.Millisecond)
	}
	d := delivery{rate: float64(n) / time.Since(start).Seconds(), cpu: -cpu0}
	for _, pid := range pids {
		d.cpu += cpuSeconds(pid)
	}
	c.waitSent(addr, id, time.Minute)
	return d
}

// signOnlyRate signs n messages of size bytes with key on every core and
// returns the rate and the rate per CPU second: the limit signing sets.
func signOnlyRate(b *testing.B, key dkim.Key, size, n int) (rate, perCPU float64) {
	m := &mailer.Message{
		From: &mail.Address{Name: "Harbour Gazette", Address: "news@gazette.test"}, To: &mail.Address{Address: "reader@example.com"},
		Subject: "Harbour news", Text: "The harbour master reports a busy week.", HTML: "<p>The harbour master reports a busy week.</p>",
	}
	raw, err := m.Compose()
	if err != nil {
		b.Fatal(err)
	}
	raw = padTo(raw, size-600) // a signature header adds ~600 bytes
	signer := dkim.NewSigner([]dkim.Key{key}, nil)
	var left atomic.Int64
	left.Store(int64(n))
	cpu0 := cpuSeconds(os.Getpid())
	start := time.Now()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var buf []byte
			for left.Add(-1) >= 0 {
				var err error
				if buf, err = signer.Sign(buf[:0], raw); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start).Seconds()
	return float64(n) / took, float64(n) / (cpuSeconds(os.Getpid()) - cpu0)
}

// cpuSeconds reads the user and system CPU time a process has used.
func cpuSeconds(pid int) float64 {
	buf, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which may hold spaces, in ")".
	s := string(buf)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100 // clock ticks: USER_HZ is 100 on Linux
}

// benchFrom is the From of the signed benchmarks' campaigns, on the domain
// benchKey makes their key for.
const benchFrom = "BULLETIN_FROM=Harbour Gazette <news@gazette.test>"

// benchKey makes the RSA key the signed benchmarks sign with (selector
// bench, domain gazette.test, benchFrom's) in c's data folder.
func (c *cluster) benchKey() {
	c.t.Helper()
	if out, err := c.command("dkim", "keygen", "--selector", "bench", "--domain", "gazette.test").CombinedOutput(); err != nil {
		c.t.Fatalf("dkim keygen: %v\n%s", err, out)
	}
}
