package main

import (
	"bufio"
	"fmt"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// BenchmarkCampaignDelivery sends a campaign of BULLETIN_BENCH_N (default
// 20,000) recipients with a ~6 KB body through a real `bulletin serve`
// (embedded Redis) to a local SMTP server that accepts and discards, and,
// in the same run and against the same server, the fastest possible
// sender: a bare loop pipelining MAIL/RCPT/DATA over 8 connections. It
// reports both rates, their ratio, the time to the first message and the
// peak RSS of serve. Run it with:
//
//	BULLETIN_INTEGRATION=1 go test ./cmd/bulletin -run '^$' -bench CampaignDelivery -benchtime 1x
func BenchmarkCampaignDelivery(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("BULLETIN_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	smtp := smtptest.Start(b, smtptest.WithDiscard())
	body := strings.Repeat("The harbour master reports a busy week: ferries on time, the fish market full. ", 75) // ~6 KB
	for b.Loop() {
		bare := bareRate(b, smtp, body, n)
		c := newCluster(b, n, 0, "BULLETIN_SMTP_URL="+smtp.URL())
		serve, addr := c.start("serve", "serve")
		before := smtp.Total()
		start := time.Now()
		id := c.startCampaignBody(addr, body)
		for smtp.Total() == before {
			time.Sleep(time.Millisecond)
		}
		first := time.Since(start)
		for smtp.Total() < before+n {
			time.Sleep(5 * time.Millisecond)
		}
		took := time.Since(start)
		rss := peakRSS(serve.Process.Pid)
		c.waitSent(addr, id, time.Minute)
		rate := float64(n) / took.Seconds()
		b.ReportMetric(bare, "bare_msgs/s")
		b.ReportMetric(rate, "bulletin_msgs/s")
		b.ReportMetric(rate/bare, "ratio")
		b.ReportMetric(float64(first.Milliseconds()), "first_ms")
		b.ReportMetric(rss/1024, "serve_peak_rss_MB")
		b.Logf("n=%d bare %.0f/s bulletin %.0f/s ratio %.2f first message %s serve peak RSS %.1f MB", n, bare, rate, rate/bare, first, rss/1024)
	}
}

// bareRate times smtptest.BlastPipelined over 8 connections with a message
// of the same size as the campaign's.
func bareRate(b *testing.B, smtp *smtptest.Server, body string, n int) float64 {
	m := &mailer.Message{
		From: &mail.Address{Address: "news@localhost"}, To: &mail.Address{Address: "reader@example.com"},
		Subject: "Harbour news", Text: body, HTML: "<p>" + body + "</p>",
	}
	raw, err := m.Compose()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := smtptest.BlastPipelined(smtp.Addr(), 8, raw, n); err != nil {
		b.Fatal(err)
	}
	return float64(n) / time.Since(start).Seconds()
}

// peakRSS reads VmHWM of a process, in KiB.
func peakRSS(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb
		}
	}
	return -1
}
