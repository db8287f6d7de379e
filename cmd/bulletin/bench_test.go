package main

import (
	"bufio"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
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
// sender the issue names: a bare loop pipelining MAIL/RCPT/DATA over 8
// connections, with messages of the size Bulletin's had on average (the
// campaign's template makes them ~15 KB). Each sender has the machine to
// itself in turn.
//
// The server is go-smtp, which offers CHUNKING (RFC 3030) as Postfix and
// the big mailbox providers do, and Bulletin then sends each message as
// one BDAT chunk. So that the comparison hides nothing, the benchmark also
// reports Bulletin sending the same campaign to the same kind of server
// with CHUNKING hidden (DATA, like the loop: bulletin_data_msgs/s and
// ratio_data), a bare loop that uses BDAT with 4 messages in flight per
// connection (bare_bdat_msgs/s, ratio_bdat), and the DATA loop run in a
// child process (bare_apart_msgs/s). Run it with:
//
//	BULLETIN_INTEGRATION=1 go test ./cmd/bulletin -run '^$' -bench CampaignDelivery -benchtime 1x
func BenchmarkCampaignDelivery(b *testing.B) {
	n := benchN(20_000)
	smtp := smtptest.Start(b, smtptest.WithDiscard(), smtptest.WithBatchedReplies())
	dataOnly := smtptest.Start(b, smtptest.WithDiscard(), smtptest.WithoutChunking(), smtptest.WithBatchedReplies())
	for b.Loop() {
		c := newCluster(b, n, 0, "BULLETIN_SMTP_URL="+smtp.URL())
		sink0 := cpuSeconds(os.Getpid()) // this process runs the SMTP sink
		chunked := deliverCampaign(b, c, smtp, n, campaignBody)
		sink := cpuSeconds(os.Getpid()) - sink0
		c.env = append(c.env, "BULLETIN_SMTP_URL="+dataOnly.URL()) // the last one counts
		data := deliverCampaign(b, c, dataOnly, n, campaignBody)
		bare := bareRate(b, smtp, campaignBody, chunked.size, n, blastHere)
		apart := bareRate(b, smtp, campaignBody, chunked.size, n, blastApartProcess)
		bareBDAT := bareRate(b, smtp, campaignBody, chunked.size, n, blastBDAT)
		b.ReportMetric(bare, "bare_msgs/s")
		b.ReportMetric(chunked.rate, "bulletin_msgs/s")
		b.ReportMetric(chunked.rate/bare, "ratio")
		b.ReportMetric(float64(chunked.first.Milliseconds()), "first_ms")
		b.ReportMetric(max(chunked.rss, data.rss)/1024, "serve_peak_rss_MB")
		b.ReportMetric(data.rate, "bulletin_data_msgs/s")
		b.ReportMetric(data.rate/bare, "ratio_data")
		b.ReportMetric(bareBDAT, "bare_bdat_msgs/s")
		b.ReportMetric(chunked.rate/bareBDAT, "ratio_bdat")
		b.ReportMetric(apart, "bare_apart_msgs/s")
		b.Logf("n=%d size %d B: bare DATA loop %.0f/s; bulletin %.0f/s (BDAT), ratio %.2f, first message %s, serve peak RSS %.1f MB",
			n, chunked.size, bare, chunked.rate, chunked.rate/bare, chunked.first, chunked.rss/1024)
		b.ReportMetric(chunked.cpu*1e6/float64(n), "serve_cpu_us/msg")
		b.Logf("BDAT: serve used %.0f µs of CPU a message, the sink (this process) %.0f µs", chunked.cpu*1e6/float64(n), sink*1e6/float64(n))
		b.Logf("without CHUNKING: bulletin %.0f/s (DATA), ratio %.2f, first message %s, serve peak RSS %.1f MB",
			data.rate, data.rate/bare, data.first, data.rss/1024)
		b.Logf("bare BDAT loop %.0f/s (bulletin's BDAT rate is %.2f of it); bare DATA loop in a process of its own %.0f/s (ratio %.2f, DATA %.2f)",
			bareBDAT, chunked.rate/bareBDAT, apart, chunked.rate/apart, data.rate/apart)
	}
}

// campaignBody is the text of the benchmarks' campaigns, ~6 KB; the
// campaign's template makes each message ~15 KB.
var campaignBody = strings.Repeat("The harbour master reports a busy week: ferries on time, the fish market full. ", 75)

// A delivery is what one campaign through serve measured.
type delivery struct {
	rate  float64       // messages a second, from send to the last accepted
	first time.Duration // from send to the first accepted
	size  int           // average message size the server counted
	rss   float64       // serve's peak RSS, KiB
	cpu   float64       // CPU seconds the sending processes used for it
}

// deliverCampaign starts serve, sends a campaign of body to the cluster's
// n subscribers, times it until the server has accepted all n and stops
// serve.
func deliverCampaign(b *testing.B, c *cluster, smtp *smtptest.Server, n int, body string) delivery {
	serve, addr := c.start("serve", "serve")
	before, beforeBytes := smtp.Total(), smtp.Bytes()
	cpu0 := cpuSeconds(serve.Process.Pid) // starting up is not the campaign's
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
	d := delivery{
		rate:  float64(n) / took.Seconds(),
		first: first,
		size:  int(smtp.Bytes()-beforeBytes) / (smtp.Total() - before),
		rss:   peakRSS(serve.Process.Pid),
		cpu:   cpuSeconds(serve.Process.Pid) - cpu0,
	}
	c.waitSent(addr, id, time.Minute)
	serve.Process.Kill()
	serve.Wait()
	return d
}

// The ways bareRate runs the bare loop.
const (
	blastHere         = "DATA"  // smtptest.BlastPipelined in this process: the yardstick
	blastApartProcess = "apart" // the same in a child process (blastApart)
	blastBDAT         = "BDAT"  // smtptest.BlastChunked, 4 in flight per connection
)

// bareRate times a bare loop over 8 connections with a message of size
// bytes, as the server counts them, and returns its rate.
func bareRate(b *testing.B, smtp *smtptest.Server, body string, size, n int, how string) float64 {
	m := &mailer.Message{
		From: &mail.Address{Address: "news@localhost"}, To: &mail.Address{Address: "reader@example.com"},
		Subject: "Harbour news", Text: body, HTML: "<p>" + body + "</p>",
	}
	raw, err := m.Compose()
	if err != nil {
		b.Fatal(err)
	}
	raw = padTo(raw, size)
	before, beforeBytes := smtp.Total(), smtp.Bytes()
	var took time.Duration
	start := time.Now()
	switch how {
	case blastApartProcess:
		took = blastApart(b, smtp.Addr(), raw, n)
	case blastBDAT:
		err = smtptest.BlastChunked(smtp.Addr(), 8, 4, raw, n)
	default:
		err = smtptest.BlastPipelined(smtp.Addr(), 8, raw, n)
	}
	if err != nil {
		b.Fatal(err)
	}
	if took == 0 {
		took = time.Since(start)
	}
	if got := int(smtp.Bytes()-beforeBytes) / (smtp.Total() - before); got < size-16 || got > size+16 {
		b.Fatalf("bare loop messages of %d bytes, want %d", got, size)
	}
	return float64(n) / took.Seconds()
}

// blastApart runs the bare loop in a child process (TestBlastHelper) and
// returns the time it reports. In the benchmark's own process the loop
// shares the sink's scheduler: a reply wakes the client goroutine without
// waking a thread, whereas serve, a process of its own, is woken by the
// kernel for each reply (tens of thousands of context switches a second
// against a few hundred). This shows how much of the gap that accounts
// for.
func blastApart(b *testing.B, addr string, raw []byte, n int) time.Duration {
	msg := filepath.Join(b.TempDir(), "message.eml")
	if err := os.WriteFile(msg, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBlastHelper$")
	cmd.Env = append(os.Environ(), "BULLETIN_BLAST_ADDR="+addr, "BULLETIN_BLAST_MSG="+msg, "BULLETIN_BLAST_N="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("blast helper: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "blast took "); ok {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err == nil {
				return d
			}
		}
	}
	b.Fatalf("blast helper said:\n%s", out)
	return 0
}

// TestBlastHelper is the child process of blastApart; it does nothing
// unless BULLETIN_BLAST_ADDR is set.
func TestBlastHelper(t *testing.T) {
	addr := os.Getenv("BULLETIN_BLAST_ADDR")
	if addr == "" {
		t.Skip("the child process of BenchmarkCampaignDelivery")
	}
	raw, err := os.ReadFile(os.Getenv("BULLETIN_BLAST_MSG"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(os.Getenv("BULLETIN_BLAST_N"))
	start := time.Now()
	if err := smtptest.BlastPipelined(addr, 8, raw, n); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("blast took %s\n", time.Since(start))
}

// benchN returns BULLETIN_BENCH_N, how many messages, readers or events a
// benchmark runs with, or def when it is not a positive number.
func benchN(def int) int {
	if v, err := strconv.Atoi(os.Getenv("BULLETIN_BENCH_N")); err == nil && v > 0 {
		return v
	}
	return def
}

// padTo grows a message to about size bytes (within a header line's
// minimum of 16) with header lines in front.
func padTo(raw []byte, size int) []byte {
	var pad []byte
	for need := size - len(raw); need >= 16; need = size - len(raw) - len(pad) {
		line := min(need, 78) - len("X-Padding: \r\n")
		pad = append(pad, "X-Padding: "+strings.Repeat("x", line)+"\r\n"...)
	}
	return append(pad, raw...)
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

// BenchmarkFanoutMillion measures a campaign to 1,000,000 recipients
// through a real `bulletin serve` (embedded Redis) that sends to a local
// SMTP server that accepts and discards: the time until every delivery is
// inserted (the campaign's total reaches the list's size), the time until the last message is accepted, and serve's
// peak RSS. serve's fan-out runs only as far ahead of sending as its kicks
// and backlog allow, so the first figure is paced by sending too. With
// BULLETIN_BENCH_TWO_LISTS=1 a second list holds every tenth reader and
// the campaign goes to both, whose fan-out merges the two lists' members.
// It takes a few minutes and runs only when asked:
//
//	BULLETIN_INTEGRATION=1 BULLETIN_BENCH_1M=1 go test ./cmd/bulletin -run '^$' -bench FanoutMillion -benchtime 1x -timeout 30m
func BenchmarkFanoutMillion(b *testing.B) {
	if os.Getenv("BULLETIN_BENCH_1M") == "" {
		b.Skip("set BULLETIN_BENCH_1M=1 to fan a campaign out to 1,000,000 recipients")
	}
	n := benchN(1_000_000)
	lists := []string{"news"}
	if os.Getenv("BULLETIN_BENCH_TWO_LISTS") != "" {
		lists = append(lists, "sport")
	}
	smtp := smtptest.Start(b, smtptest.WithDiscard(), smtptest.WithBatchedReplies())
	for b.Loop() {
		c := newCluster(b, n, 0, "BULLETIN_SMTP_URL="+smtp.URL())
		if len(lists) > 1 {
			c.addTenthList("sport")
		}
		serve, addr := c.start("serve", "serve")
		start := time.Now()
		id := c.startCampaignTo(addr, strings.Repeat("The harbour master reports a busy week. ", 150), lists...)
		var cj campaignJSON
		for c.api(addr, "GET", fmt.Sprintf("/api/v1/campaigns/%d", id), nil, &cj); cj.Stats["total"] < n; time.Sleep(100 * time.Millisecond) {
			c.api(addr, "GET", fmt.Sprintf("/api/v1/campaigns/%d", id), nil, &cj)
		}
		fanout := time.Since(start)
		for smtp.Total() < n {
			time.Sleep(50 * time.Millisecond)
		}
		sent := time.Since(start)
		rss := peakRSS(serve.Process.Pid)
		b.ReportMetric(fanout.Seconds(), "fanout_s")
		b.ReportMetric(sent.Seconds(), "sent_s")
		b.ReportMetric(rss/1024, "serve_peak_rss_MB")
		b.Logf("n=%d, lists %v: fan-out done in %s, all accepted in %s (%.0f/s), serve peak RSS %.1f MB", n, lists, fanout, sent, float64(n)/sent.Seconds(), rss/1024)
	}
}
