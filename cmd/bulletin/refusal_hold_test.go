package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A relay that answers 451 to every reader for 20 s (a tester's outage
// lasted 82) is tried a message at a time while it refuses, not every
// reader at each of their batch's retries (20,500 RCPTs for 3,000 readers
// in 80 s, 7,500 of them in the first 10 s), and once it takes mail again
// every batch goes within seconds of the next try (2,500 of the 3,000
// waited 56 s for their task's backoff). The campaign says meanwhile what
// it waits on; every reader gets it once.
func TestDeliveryHoldsBackWhileTheRelayRefuses(t *testing.T) {
	const n = 3000
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	proxy := startRCPTCounter(t, srv.Addr())
	c := newCluster(t, n, 0, "BULLETIN_SMTP_URL=smtp://"+proxy.addr+"?tls=none")
	_, addr := c.start("serve", "serve")
	id := c.startCampaign(addr)

	time.Sleep(20 * time.Second)
	var cj struct {
		Status string
		Stats  struct {
			Queued  int
			Waiting *struct{ Reply string }
		}
	}
	if code := c.api(addr, "GET", fmt.Sprintf("/api/v1/campaigns/%d", id), nil, &cj); code != http.StatusOK {
		t.Fatalf("GET the campaign: %d", code)
	}
	during := proxy.rcpts()
	srv.SetFaults(smtptest.Faults{})
	end := time.Now()
	done := c.waitSent(addr, id, 2*time.Minute)
	took := time.Since(end)
	t.Logf("%d RCPTs in the 20 s the relay refused every reader; the campaign was sent %s after it took mail again",
		during, took.Round(100*time.Millisecond))

	if cj.Status != "sending" || cj.Stats.Queued != n || cj.Stats.Waiting == nil || !strings.HasPrefix(cj.Stats.Waiting.Reply, "451 ") {
		t.Errorf("during the outage the campaign is %s, %d queued, waiting on %+v; want sending, %d queued, waiting on the relay's 451",
			cj.Status, cj.Stats.Queued, cj.Stats.Waiting, n)
	}
	// 32 refusals in a row hold the batches back, with what was on the
	// wire (8 connections, 4 messages each), and a message tries the relay
	// 1, 3, 7 and 15 s on.
	if during > 300 {
		t.Errorf("%d RCPTs in the 20 s the relay refused every reader, want at most 300", during)
	}
	// The next probe goes at most 10 s after the last; the batches serve
	// holds go at once then, those handed back to the queue within its
	// retry and its look for retries due (seconds).
	if took > 40*time.Second {
		t.Errorf("the campaign was sent %s after the relay took mail again, want within 40 s", took)
	}
	checkCounts(t, srv, n, 0, 0)
	if done.Stats["sent"] != n || done.Stats["failed"] != 0 {
		t.Errorf("stats %v, want all %d sent, none failed", done.Stats, n)
	}
}

// An rcptCounter is a TCP proxy in front of an SMTP server that counts
// the RCPT TO commands clients send through it.
type rcptCounter struct {
	addr string
	n    atomic.Int64
}

func (c *rcptCounter) rcpts() int { return int(c.n.Load()) }

// startRCPTCounter proxies a port on 127.0.0.1 to the server at target
// until the test ends.
func startRCPTCounter(t *testing.T, target string) *rcptCounter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &rcptCounter{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, cn := range conns {
			cn.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, client, server)
			mu.Unlock()
			wg.Go(func() {
				io.Copy(client, server)
				client.Close()
			})
			wg.Go(func() {
				c.copyCounting(server, client)
				server.Close()
			})
		}
	})
	return c
}

// copyCounting copies what the client sends to the server, counting the
// commands RCPT TO (each follows a CRLF: MAIL FROM comes before it).
func (c *rcptCounter) copyCounting(dst io.Writer, src io.Reader) {
	const cmd = "\nRCPT TO:"
	buf := make([]byte, 32<<10)
	var tail []byte // the end of the last read, which may hold the start of cmd
	for {
		n, err := src.Read(buf)
		if n > 0 {
			seen := append(tail, buf[:n]...)
			c.n.Add(int64(bytes.Count(seen, []byte(cmd))))
			tail = append(tail[:0], seen[max(0, len(seen)-len(cmd)+1):]...)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
