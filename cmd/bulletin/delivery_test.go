package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// These tests run the real binary against a real SMTP server over TCP,
// kill it with SIGKILL mid-campaign and check that every recipient gets
// one copy, and a second one only when it was in flight at the kill
// (SPEC §4), each test naming how many that may be and why. They take a minute or two: set BULLETIN_INTEGRATION=1.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(t testing.TB) string {
	t.Helper()
	if os.Getenv("BULLETIN_INTEGRATION") == "" {
		t.Skip("set BULLETIN_INTEGRATION=1 to run the delivery integration tests")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bulletin-bin-")
		if err != nil {
			buildErr = err
			return
		}
		removeAtExit(dir)
		binPath = filepath.Join(dir, "bulletin")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// cluster is a data folder and the processes started on it.
type cluster struct {
	t     testing.TB
	bin   string
	data  string
	env   []string
	token string
}

// freeAddr returns a loopback address no one listens on just now, for a
// process to listen on soon. The port is below Linux's ephemeral range
// (32768 and up by default), which the kernel hands out both for
// listening on port 0 and as the local port of outgoing connections: a
// port from there can be taken by any connection made before the process
// binds it, and in a busy test run one was. Here only another freeAddr
// can pick the same port, and it checks first.
func freeAddr(t testing.TB) string {
	t.Helper()
	for range 100 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	t.Fatal("no free port in 20000-31999 on 127.0.0.1 after 100 tries")
	return ""
}

// newCluster seeds a list "news" with n confirmed subscribers, the first
// rejected of them at rejected.example, in a data folder of t's own.
func newCluster(t testing.TB, n, rejected int, env ...string) *cluster {
	return newClusterIn(t, t.TempDir(), n, rejected, env...)
}

// newClusterIn is newCluster with the data folder data.
func newClusterIn(t testing.TB, data string, n, rejected int, env ...string) *cluster {
	c := &cluster{t: t, bin: binary(t), data: data}
	c.env = append(os.Environ(), "BULLETIN_DATA="+c.data, "BULLETIN_SECRET=integration-secret-0123456789abcdef01")
	c.env = append(c.env, env...)
	db, err := sqlite.Open(context.Background(), filepath.Join(c.data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Tx(context.Background(), func(tx *sql.Tx) error {
		now := time.Now().UTC()
		if _, err := tx.Exec(`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', ?)`, now); err != nil {
			return err
		}
		for i := range n {
			email := fmt.Sprintf("reader%05d@example.com", i)
			if i < rejected {
				email = fmt.Sprintf("reader%05d@rejected.example", i)
			}
			if _, err := tx.Exec(`INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'confirmed', ?, ?)`,
				i+1, email, email, fmt.Sprintf("Reader %d", i), now, now); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, 1, 'active', ?, ?)`, i+1, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.command("token", "create", "it").Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	c.token = strings.TrimSpace(string(out))
	return c
}

// writeDB runs fn in a write transaction on the cluster's database, opened
// for it alone.
func (c *cluster) writeDB(fn func(tx *sql.Tx) error) {
	c.t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(c.data, "bulletin.db"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	if err := db.Tx(context.Background(), fn); err != nil {
		c.t.Fatal(err)
	}
}

// addTenthList adds list slug, with every tenth reader of news on it.
func (c *cluster) addTenthList(slug string) {
	c.t.Helper()
	c.writeDB(func(tx *sql.Tx) error {
		now := time.Now().UTC()
		res, err := tx.Exec(`INSERT INTO lists (slug, name, created_at) VALUES (?, ?, ?)`, slug, slug, now)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
			SELECT subscriber_id, ?, 'active', ?, ? FROM subscriptions WHERE list_id = 1 AND subscriber_id % 10 = 0`, id, now, now)
		return err
	})
}

func (c *cluster) command(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	return cmd
}

// terminate stops serve with SIGTERM, as a service manager does, and
// fails the test unless it exits cleanly within 10 s.
func terminate(t testing.TB, serve *exec.Cmd, name string) {
	t.Helper()
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- serve.Wait() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("%s stopped with %v", name, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not stop within 10 s of SIGTERM", name)
	}
}

// start runs the binary with args on a free address and waits for /healthz.
// A process that exits because another took its port between freeAddr
// and its bind is started again on another port, up to three times.
func (c *cluster) start(name string, args ...string) (*exec.Cmd, string) {
	c.t.Helper()
	for range 3 {
		if cmd, addr := c.try(name, args...); cmd != nil {
			return cmd, addr
		}
	}
	c.t.Fatalf("%s: another process took its port three times", name)
	return nil, ""
}

// healthClient gives up on a /healthz that does not answer, as from a
// port some other process listens on.
var healthClient = &http.Client{Timeout: 2 * time.Second}

// try starts the binary once and waits up to 10 s for /healthz. It
// returns a nil *exec.Cmd if the process could not bind its address, and
// fails the test if it does not answer for another reason. The caller
// keeps the only cmd.Wait, so that it can see how the process ended.
func (c *cluster) try(name string, args ...string) (*exec.Cmd, string) {
	c.t.Helper()
	addr := freeAddr(c.t)
	cmd := c.command(args...)
	cmd.Env = append(cmd.Env, "BULLETIN_ADDR="+addr)
	logf, err := os.Create(filepath.Join(c.data, name+".log"))
	if err != nil {
		c.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	var buf []byte
	for range 100 {
		if resp, err := healthClient.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return cmd, addr
		}
		buf, _ = os.ReadFile(logf.Name())
		if bytes.Contains(buf, []byte("listen on BULLETIN_ADDR "+addr)) && bytes.Contains(buf, []byte("address already in use")) {
			cmd.Wait()
			c.t.Logf("%s: %s was taken before it could listen; again on another port", name, addr)
			return nil, ""
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("%s did not come up:\n%s", name, buf)
	return nil, ""
}

func (c *cluster) api(addr, method, path string, body any, out any) int {
	c.t.Helper()
	var rd bytes.Buffer
	if body != nil {
		json.NewEncoder(&rd).Encode(body)
	}
	req, _ := http.NewRequest(method, "http://"+addr+path, &rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type campaignJSON struct {
	ID     int64          `json:"id"`
	Status string         `json:"status"`
	Stats  map[string]int `json:"stats"`
}

// startCampaign creates and sends a campaign to "news".
func (c *cluster) startCampaign(addr string) int64 {
	return c.startCampaignBody(addr, strings.Repeat("The harbour is busy today. ", 200))
}

// startCampaignBody creates and sends a campaign to "news" with body.
func (c *cluster) startCampaignBody(addr, body string) int64 {
	c.t.Helper()
	return c.startCampaignTo(addr, body, "news")
}

// startCampaignTo is startCampaignBody to lists.
func (c *cluster) startCampaignTo(addr, body string, lists ...string) int64 {
	c.t.Helper()
	var cj campaignJSON
	if code := c.api(addr, "POST", "/api/v1/campaigns", map[string]any{
		"subject": "Harbour news", "body": "Hello {{ .Name }}!\n\n" + body, "lists": lists,
	}, &cj); code != http.StatusCreated {
		c.t.Fatalf("create: %d", code)
	}
	if code := c.api(addr, "POST", fmt.Sprintf("/api/v1/campaigns/%d/send", cj.ID), nil, nil); code != http.StatusOK {
		c.t.Fatalf("send: %d", code)
	}
	return cj.ID
}

// waitSent polls the campaign until it is sent.
func (c *cluster) waitSent(addr string, id int64, within time.Duration) campaignJSON {
	c.t.Helper()
	var cj campaignJSON
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		c.api(addr, "GET", fmt.Sprintf("/api/v1/campaigns/%d", id), nil, &cj)
		if cj.Status == "sent" {
			return cj
		}
	}
	c.t.Fatalf("campaign still %s after %s: %v", cj.Status, within, cj.Stats)
	return cj
}

// waitTotal waits until the SMTP server has accepted n messages.
func waitTotal(t *testing.T, s *smtptest.Server, n int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); s.Total() < n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages after 60 s", s.Total())
		}
	}
}

// checkCounts checks that each good address got one copy, allowing at most
// dupMax second copies (messages in flight at a kill), and rejected ones none.
func checkCounts(t *testing.T, s *smtptest.Server, n, rejected, dupMax int) {
	t.Helper()
	dups := 0
	for i := range n {
		email := fmt.Sprintf("reader%05d@example.com", i)
		want := 1
		if i < rejected {
			email, want = fmt.Sprintf("reader%05d@rejected.example", i), 0
		}
		got := s.Count(email)
		switch {
		case got == want:
		case want == 1 && got == 2:
			dups++
		default:
			t.Errorf("%s got %d copies, want %d", email, got, want)
		}
	}
	if dups > dupMax {
		t.Errorf("%d second copies, at most %d may repeat", dups, dupMax)
	}
	t.Logf("%d messages, %d second copies", s.Total(), dups)
}

func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

func TestDeliveryWithFaultsSurvivesKill9(t *testing.T) {
	const n, rejected = 2000, 50
	smtp := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 0.10, DropDataRate: 0.03, RejectDomain: "rejected.example"}))
	c := newCluster(t, n, rejected, "BULLETIN_SMTP_URL="+smtp.URL())
	serve, addr := c.start("serve1", "serve")
	id := c.startCampaign(addr)
	waitTotal(t, smtp, n/3)
	kill9(t, serve) // the embedded Redis dies with it
	_, addr = c.start("serve2", "serve")
	cj := c.waitSent(addr, id, 3*time.Minute)
	// The bound, 32 second copies: SPEC §4 allows a second copy only of
	// a message the SMTP server accepted before the kill whose reply
	// serve had not read, the messages on the wire: 8 connections, up to
	// 4 BDAT chunks each. A result whose reply was read is in the journal
	// (DATA/sent.journal) before anything else happens to it, and the
	// restart records it from there before it clears the claims, so
	// results not yet in SQLite (written every 10 ms) add none. A copy the
	// server dropped the connection on (DropDataRate) is not counted, and
	// a restart that lost the last results write (tens of messages) or
	// resent more fails.
	checkCounts(t, smtp, n, rejected, 32)
	logJournal(t, c)
	if cj.Stats["sent"] != n-rejected || cj.Stats["bounced"] != rejected || cj.Stats["queued"] != 0 {
		t.Errorf("stats %v", cj.Stats)
	}
}

// logJournal logs how many results the restarted serve took from the
// journal: those a restart without it would have sent again.
func logJournal(t *testing.T, c *cluster) {
	buf, _ := os.ReadFile(filepath.Join(c.data, "serve2.log"))
	for _, line := range strings.Split(string(buf), "\n") {
		if strings.Contains(line, "not yet written") {
			t.Logf("serve2: %s", line)
		}
	}
}

func TestDeliveryByWorkersOnRedis(t *testing.T) {
	const n, rejected = 3000, 30
	url := testRedis(t, queuetest.DBWorkers) // a database of its own
	smtp := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 0.05, RejectDomain: "rejected.example"}))
	c := newCluster(t, n, rejected, "BULLETIN_SMTP_URL="+smtp.URL(), "BULLETIN_REDIS_URL="+url, "BULLETIN_SMTP_CONNS=4", "BULLETIN_SMTP_RATE=400")
	_, addr := c.start("serve", "serve", "--no-send")
	w1, w1addr := c.start("worker1", "worker")
	w2, w2addr := c.start("worker2", "worker")
	id := c.startCampaign(addr)
	waitTotal(t, smtp, n/3)
	victim := w1
	if sentBy(w1addr) == 0 {
		victim = w2
	}
	t.Logf("sent before the kill: worker1 %d, worker2 %d", sentBy(w1addr), sentBy(w2addr))
	kill9(t, victim)
	recoverOrphans(t, c, url, "worker3")
	cj := c.waitSent(addr, id, 4*time.Minute)
	// The bound, 40 second copies: SPEC §4 allows a second copy only of
	// the messages in flight at the kill, accepted by the server but not
	// yet remembered. The victim had 4 connections (up to 4 BDAT chunks
	// each: 16 on the wire) and remembers what it sent in Redis every
	// 10 ms, at 400 messages a second per worker: 4 more. 40
	// is twice that; a worker that remembered nothing would resend its
	// whole claimed batch and fail.
	checkCounts(t, smtp, n, rejected, 40)
	if cj.Stats["sent"] != n-rejected || cj.Stats["bounced"] != rejected {
		t.Errorf("stats %v", cj.Stats)
	}
}

// testRedis returns the URL of database db of BULLETIN_TEST_REDIS_URL,
// emptied, or skips t when it is not set.
func testRedis(t *testing.T, db int) string {
	t.Helper()
	return queuetest.RedisURL(t, db)
}

// sentBy reads a worker's count of sent messages from its /metrics.
func sentBy(addr string) int {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	for _, line := range strings.Split(buf.String(), "\n") {
		if v, ok := strings.CutPrefix(line, `bulletin_mail_messages_total{result="sent"} `); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	return 0
}

// A digest survives a kill -9 of serve in the middle of sending as a
// campaign does: its batches are claimed for serve's sender when they
// are handed out, the restart clears the claims and queues again the
// batches handed out, and every reader gets the digest once but for the
// messages on the wire at the kill (the same bound of 32).
func TestDigestWithFaultsSurvivesKill9(t *testing.T) {
	const n, rejected = 3000, 40
	smtp := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 0.10, DropDataRate: 0.03, RejectDomain: "rejected.example"}))
	c := newCluster(t, n, rejected, "BULLETIN_SMTP_URL="+smtp.URL())
	c.seedDigestArticles(3)
	serve, addr := c.start("serve1", "serve")
	var d struct {
		ID         int64 `json:"id"`
		Recipients int   `json:"recipients"`
	}
	if code := c.api(addr, "POST", "/api/v1/digests/run", map[string]string{"list": "news"}, &d); code/100 != 2 || d.Recipients != n {
		t.Fatalf("digest run: %d, %+v, want %d recipients", code, d, n)
	}
	waitTotal(t, smtp, n/3)
	kill9(t, serve)
	if got := smtp.Total(); got >= n-rejected {
		t.Fatalf("all %d accepted before the kill: nothing left to test", got)
	}
	_, addr = c.start("serve2", "serve")
	cj := c.waitSent(addr, d.ID, 3*time.Minute)
	checkCounts(t, smtp, n, rejected, 32)
	if cj.Stats["sent"] != n-rejected || cj.Stats["bounced"] != rejected || cj.Stats["queued"] != 0 {
		t.Errorf("stats %v", cj.Stats)
	}
}
