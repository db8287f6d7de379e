package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// BenchmarkSignupsApart is the signup figure of docs/benchmarks.md with
// the client in a process of its own, as a browser or a load balancer is:
// a child process (TestSignupLoadHelper) runs 8 keep-alive clients posting
// BULLETIN_BENCH_N (default 20,000) JSON signups of new addresses to POST
// /api/v1/subscriptions, in turn, against
//
//   - the bare limit: internal/benchtools/baresignup, a server of its own
//     that decodes the same JSON, inserts one row into SQLite with the
//     same pragmas and answers 202, once before serve's runs and once
//     after, as this machine's speed drifts by a fifth within minutes;
//   - `bulletin serve` (embedded Redis, rate limit off) with the outbox:
//     every confirmation mail written as a file;
//   - `bulletin serve` sending the confirmations to a local SMTP server in
//     the test process (not the client's).
//
// Each figure is signups/s over the whole load with p50/p99/max latency;
// ratio is serve's rate over the mean of the bare runs, and cpu_us/signup the CPU
// time serve used (start-up and the mails included) per signup, which
// depends less than the rates on what else the machine runs; the log
// gives the signups a transaction of serve's group commit held, from its
// /metrics (smtp_signups/commit), and the part of the latency that passed
// inside serve's handler, from its request log. Afterwards it checks that
// every signup's row is there and that every address got its
// confirmation exactly once. Its data folders stay until the test binary exits
// (untilExit), so that no run follows the removal of another's 20,000
// outbox files. With BULLETIN_BENCH_CPUPROFILE=dir, serve writes a CPU
// profile of each run into dir (outbox.pprof, smtp.pprof). Run it with:
//
//	BULLETIN_INTEGRATION=1 go test ./cmd/bulletin -run '^$' -bench SignupsApart -benchtime 1x
func BenchmarkSignupsApart(b *testing.B) {
	n := benchN(20_000)
	bare := bareSignupBinary(b)
	profiles := os.Getenv("BULLETIN_BENCH_CPUPROFILE")
	for b.Loop() {
		load0 := loadavg()
		bare0 := bareSignups(b, bare, n)

		c := newClusterIn(b, untilExit(b), 0, 0, "BULLETIN_SIGNUP_RATE=0")
		if profiles != "" {
			c.env = append(c.env, "BULLETIN_CPUPROFILE="+filepath.Join(profiles, "outbox.pprof"))
		}
		serve, addr := c.start("serve-outbox", "serve")
		out := postSignups(b, addr, "outbox", n)
		loaded := time.Now()
		out.perCommit = signupsPerCommit(b, addr)
		c.waitOutbox(n, 2*time.Minute)
		out.mailLag = time.Since(loaded)
		out.cpu = cpuSeconds(serve.Process.Pid)
		stopServe(b, serve)
		out.inServe = handlerLatency(b, filepath.Join(c.data, "serve-outbox.log"), n)
		c.checkSignups("outbox", n)
		c.checkOutboxOnce("outbox", n)

		smtp := smtptest.Start(b, smtptest.WithBatchedReplies())
		c = newClusterIn(b, untilExit(b), 0, 0, "BULLETIN_SIGNUP_RATE=0", "BULLETIN_SMTP_URL="+smtp.URL())
		if profiles != "" {
			c.env = append(c.env, "BULLETIN_CPUPROFILE="+filepath.Join(profiles, "smtp.pprof"))
		}
		serve, addr = c.start("serve-smtp", "serve")
		viaSMTP := postSignups(b, addr, "smtp", n)
		loaded = time.Now()
		viaSMTP.perCommit = signupsPerCommit(b, addr)
		waitSMTP(b, smtp, n, 2*time.Minute)
		viaSMTP.mailLag = time.Since(loaded)
		time.Sleep(time.Second) // a second copy would arrive by now
		viaSMTP.cpu = cpuSeconds(serve.Process.Pid)
		stopServe(b, serve)
		viaSMTP.inServe = handlerLatency(b, filepath.Join(c.data, "serve-smtp.log"), n)
		c.checkSignups("smtp", n)
		for i := range n {
			if got := smtp.Count(signupAddress("smtp", i)); got != 1 {
				b.Fatalf("%s got %d confirmations, want 1", signupAddress("smtp", i), got)
			}
		}
		if got := smtp.Total(); got != n {
			b.Fatalf("SMTP server got %d mails for %d signups", got, n)
		}
		bare1 := bareSignups(b, bare, n)
		base := meanLoad(bare0, bare1)

		b.ReportMetric(base.rate, "bare_signups/s")
		b.ReportMetric(out.rate, "signups/s")
		b.ReportMetric(out.rate/base.rate, "ratio")
		b.ReportMetric(ms(out.p99), "p99_ms")
		b.ReportMetric(viaSMTP.rate, "smtp_signups/s")
		b.ReportMetric(viaSMTP.rate/base.rate, "smtp_ratio")
		b.ReportMetric(ms(viaSMTP.p99), "smtp_p99_ms")
		b.ReportMetric(out.cpu/float64(n)*1e6, "cpu_us/signup")
		b.ReportMetric(base.cpu/float64(n)*1e6, "bare_cpu_us/signup")
		b.ReportMetric(viaSMTP.perCommit, "smtp_signups/commit")
		b.Logf("n=%d, loadavg before %s, after %s", n, load0, loadavg())
		for _, r := range []struct {
			name string
			l    signupLoad
		}{{"bare, before", bare0}, {"bare, after", bare1}, {"bare, mean", base}, {"serve, outbox", out}, {"serve, SMTP", viaSMTP}} {
			batch := ""
			if r.l.perCommit > 0 {
				batch = fmt.Sprintf("  %.2f signups a commit, last mail %.1f s after the last answer; in serve's handler p50 %.2f ms  p99 %.2f ms",
					r.l.perCommit, r.l.mailLag.Seconds(), ms(r.l.inServe.p50), ms(r.l.inServe.p99))
			}
			b.Logf("%-14s %6.0f signups/s (ratio %.2f)  p50 %.2f ms  p99 %.2f ms  max %.2f ms  server CPU %.0f µs/signup%s",
				r.name, r.l.rate, r.l.rate/base.rate, ms(r.l.p50), ms(r.l.p99), ms(r.l.max), r.l.cpu/float64(n)*1e6, batch)
		}
	}
}

// meanLoad is the mean of two runs' figures.
func meanLoad(a, b signupLoad) signupLoad {
	return signupLoad{rate: (a.rate + b.rate) / 2, p50: (a.p50 + b.p50) / 2, p99: (a.p99 + b.p99) / 2,
		max: max(a.max, b.max), cpu: (a.cpu + b.cpu) / 2}
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	buf, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(buf))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// signupAddress is the address of the i-th signup of a run.
func signupAddress(run string, i int) string {
	return fmt.Sprintf("%s%06d@example.com", run, i)
}

// A signupLoad is what one run of postSignups measured.
type signupLoad struct {
	rate          float64 // signups a second over the whole load
	p50, p99, max time.Duration
	cpu           float64       // CPU seconds the server used, start-up and mails included
	perCommit     float64       // signups a transaction of serve's group commit; 0 for the bare server
	mailLag       time.Duration // from the last answer to the last confirmation delivered (to 0.1 s)
	inServe       quantiles     // serve's own time for a signup, from its request log
}

// quantiles are the median and the 99th percentile of a set of times.
type quantiles struct{ p50, p99 time.Duration }

// handlerLatency reads the n signups' times from serve's request log at
// path ("took", from the handler chain's start to its end): what of a
// signup's latency passes inside serve's handler, where it waits for its
// commit, against what passes around it (net/http reading the request
// and writing the answer, and the client, on cores the run keeps busy).
func handlerLatency(b *testing.B, path string, n int) quantiles {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var took []time.Duration
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, `route="POST /api/v1/subscriptions"`) {
			continue
		}
		_, rest, _ := strings.Cut(line, " took=")
		field, _, _ := strings.Cut(rest, " ")
		d, err := time.ParseDuration(field)
		if err != nil {
			b.Fatalf("%s: %q: %v", path, line, err)
		}
		took = append(took, d)
	}
	if len(took) != n {
		b.Fatalf("%s logs %d signups, want %d (%v)", path, len(took), n, sc.Err())
	}
	slices.Sort(took)
	return quantiles{p50: took[n/2], p99: took[n*99/100]}
}

// signupsPerCommit reads serve's /metrics at addr: the signups its group
// commit stored over the transactions it took.
func signupsPerCommit(b *testing.B, addr string) float64 {
	b.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("serve's /metrics: %s", resp.Status)
	}
	var count, sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), " ")
		switch name {
		case "bulletin_signup_batch_signups_count":
			fmt.Sscan(value, &count)
		case "bulletin_signup_batch_signups_sum":
			fmt.Sscan(value, &sum)
		}
	}
	if count == 0 {
		b.Fatalf("serve's /metrics counts no signup transaction (%v)", sc.Err())
	}
	return sum / count
}

// postSignups posts n signups of new addresses to addr from 8 clients over
// keep-alive connections, each answered 202, and times them. The clients
// run in a process of their own (TestSignupLoadHelper, this test binary
// run again), sharing neither this process's scheduler nor its cores'
// time slices with the SMTP server the test runs here: a browser does not
// share a Go runtime with the mail relay either.
func postSignups(b *testing.B, addr, run string, n int) signupLoad {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignupLoadHelper$")
	cmd.Env = append(os.Environ(), "BULLETIN_LOAD_ADDR="+addr, "BULLETIN_LOAD_RUN="+run, "BULLETIN_LOAD_N="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s signups: %v\n%s", run, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		rest, ok := strings.CutPrefix(line, "signup load ")
		if !ok {
			continue
		}
		var l signupLoad
		var p50, p99, max int64
		if _, err := fmt.Sscan(rest, &l.rate, &p50, &p99, &max); err != nil {
			b.Fatalf("%s signups: %q: %v", run, line, err)
		}
		l.p50, l.p99, l.max = time.Duration(p50), time.Duration(p99), time.Duration(max)
		return l
	}
	b.Fatalf("%s signups: the load process said\n%s", run, out)
	return signupLoad{}
}

// TestSignupLoadHelper is the load client of postSignups; it does nothing
// unless BULLETIN_LOAD_ADDR is set. It prints "signup load" and the rate
// (signups/s) and p50, p99 and max latency in nanoseconds.
func TestSignupLoadHelper(t *testing.T) {
	addr := os.Getenv("BULLETIN_LOAD_ADDR")
	if addr == "" {
		t.Skip("the load client of BenchmarkSignupsApart")
	}
	run := os.Getenv("BULLETIN_LOAD_RUN")
	n, err := strconv.Atoi(os.Getenv("BULLETIN_LOAD_N"))
	if err != nil || n <= 0 {
		t.Fatalf("BULLETIN_LOAD_N=%q", os.Getenv("BULLETIN_LOAD_N"))
	}
	const clients = 8
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := "http://" + addr + "/api/v1/subscriptions"
	var next atomic.Int64
	var failed atomic.Value
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || failed.Load() != nil {
					return
				}
				body := fmt.Sprintf(`{"email":%q,"name":"Reader %d","lists":["news"]}`, signupAddress(run, i), i)
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					failed.Store(err.Error())
					return
				}
				buf := make([]byte, 512)
				k, _ := resp.Body.Read(buf)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					failed.Store(fmt.Sprintf("%s: %d %s", signupAddress(run, i), resp.StatusCode, buf[:k]))
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if f := failed.Load(); f != nil {
		t.Fatalf("%s signup failed: %s", run, f)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) != n {
		t.Fatalf("%d signups timed of %d", len(all), n)
	}
	fmt.Printf("signup load %f %d %d %d\n", float64(n)/took.Seconds(),
		all[len(all)/2], all[len(all)*99/100], all[len(all)-1])
}

var (
	bareOnce sync.Once
	barePath string
	bareErr  error
)

// bareSignupBinary builds internal/benchtools/baresignup once.
func bareSignupBinary(b *testing.B) string {
	b.Helper()
	binary(b) // skips unless BULLETIN_INTEGRATION is set
	bareOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bulletin-bare-")
		if err != nil {
			bareErr = err
			return
		}
		removeAtExit(dir)
		barePath = filepath.Join(dir, "baresignup")
		out, err := exec.Command("go", "build", "-o", barePath, "../../internal/benchtools/baresignup").CombinedOutput()
		if err != nil {
			bareErr = fmt.Errorf("go build baresignup: %v\n%s", err, out)
		}
	})
	if bareErr != nil {
		b.Fatal(bareErr)
	}
	return barePath
}

// bareSignups starts the bare server, posts n signups to it, checks that
// it holds n rows and stops it.
func bareSignups(b *testing.B, bin string, n int) signupLoad {
	b.Helper()
	dir := untilExit(b)
	addr := freeAddr(b)
	db := filepath.Join(dir, "bare.db")
	cmd := exec.Command(bin, "-addr", addr, "-db", db)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || !strings.HasPrefix(line, "listening on") {
		b.Fatalf("baresignup did not start: %q %v", line, err)
	}
	l := postSignups(b, addr, "bare", n)
	l.cpu = cpuSeconds(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	d, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var rows int
	if err := d.QueryRow(`SELECT COUNT(*) FROM subscribers`).Scan(&rows); err != nil {
		b.Fatal(err)
	}
	if rows != n {
		b.Fatalf("bare server holds %d rows for %d signups", rows, n)
	}
	return l
}

// stopServe stops serve with SIGTERM, as an operator does, so that it
// writes its CPU profile, and waits for it.
func stopServe(b *testing.B, serve *exec.Cmd) {
	b.Helper()
	serve.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		b.Fatal("serve did not stop within 30 s of SIGTERM")
	}
}

// checkSignups checks that the database holds a pending subscriber for
// every signup of run, on the list, with its confirmation done
// (confirm_queued back to 0).
func (c *cluster) checkSignups(run string, n int) {
	c.t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(c.data, "bulletin.db"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	var rows, subs, queued int
	db.Read.QueryRow(`SELECT COUNT(*), COALESCE(SUM(confirm_queued != 0), 0) FROM subscribers WHERE email LIKE ? AND status = 'pending'`,
		run+"%").Scan(&rows, &queued)
	db.Read.QueryRow(`SELECT COUNT(*) FROM subscriptions JOIN subscribers s ON s.id = subscriber_id
		WHERE s.email LIKE ? AND subscriptions.status = 'pending'`, run+"%").Scan(&subs)
	if rows != n || subs != n || queued != 0 {
		c.t.Fatalf("%s: %d pending subscribers, %d subscriptions, %d still queued; want %d, %d, 0", run, rows, subs, queued, n, n)
	}
}

// waitOutbox waits until the outbox holds n mails.
func (c *cluster) waitOutbox(n int, within time.Duration) {
	c.t.Helper()
	dir := filepath.Join(c.data, "outbox")
	got := 0
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		entries, _ := os.ReadDir(dir)
		got = 0
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".eml") {
				got++
			}
		}
		if got >= n {
			return
		}
	}
	c.t.Fatalf("outbox holds %d mails after %s, want %d", got, within, n)
}

// checkOutboxOnce checks that the outbox holds exactly one mail for each
// signup of run and nothing else.
func (c *cluster) checkOutboxOnce(run string, n int) {
	c.t.Helper()
	dir := filepath.Join(c.data, "outbox")
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			c.t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if to, ok := strings.CutPrefix(sc.Text(), "X-Envelope-To: <"); ok {
				count[strings.TrimSuffix(to, ">")]++
				break
			}
		}
		f.Close()
	}
	for i := range n {
		if got := count[signupAddress(run, i)]; got != 1 {
			c.t.Fatalf("%s got %d confirmations in the outbox, want 1", signupAddress(run, i), got)
		}
	}
	if len(count) != n {
		c.t.Fatalf("outbox mails for %d addresses, want %d", len(count), n)
	}
}

// waitSMTP waits until the SMTP server has accepted n mails.
func waitSMTP(b *testing.B, s *smtptest.Server, n int, within time.Duration) {
	b.Helper()
	for deadline := time.Now().Add(within); s.Total() < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("SMTP server got %d mails after %s, want %d", s.Total(), within, n)
		}
	}
}
