package smtptest

import (
	"bytes"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy listens on 127.0.0.1 and relays each connection to the server at
// target until the test ends: what the client sends through up, what the
// server answers through down (io.Copy when nil), each copying from src
// to dst until either fails. It returns the proxy's address. A test puts
// it between Bulletin and a Server to count or slow what passes.
func Proxy(t testing.TB, target string, up, down func(dst io.Writer, src io.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	copyWith := func(f func(io.Writer, io.Reader)) func(io.Writer, io.Reader) {
		if f != nil {
			return f
		}
		return func(dst io.Writer, src io.Reader) { io.Copy(dst, src) }
	}
	up, down = copyWith(up), copyWith(down)
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
				up(server, client)
				server.Close()
			})
			wg.Go(func() {
				down(client, server)
				client.Close()
			})
		}
	})
	return ln.Addr().String()
}

// An RCPTCounter is a Proxy in front of an SMTP server that counts the
// RCPT TO commands clients send through it.
type RCPTCounter struct {
	Addr string // the proxy's address, for the client
	n    atomic.Int64
}

// CountRCPT starts an RCPTCounter in front of the server at target.
func CountRCPT(t testing.TB, target string) *RCPTCounter {
	t.Helper()
	c := &RCPTCounter{}
	c.Addr = Proxy(t, target, c.copyCounting, nil)
	return c
}

// RCPTs is how many RCPT TO commands have passed so far.
func (c *RCPTCounter) RCPTs() int { return int(c.n.Load()) }

// copyCounting copies what the client sends to the server, counting the
// commands RCPT TO (each follows a CRLF: MAIL FROM comes before it).
func (c *RCPTCounter) copyCounting(dst io.Writer, src io.Reader) {
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

// Delayed is a copy for Proxy that holds each piece it reads for delay
// before writing it on, as a relay far away or under load answers late.
func Delayed(delay time.Duration) func(dst io.Writer, src io.Reader) {
	return func(dst io.Writer, src io.Reader) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				time.Sleep(delay)
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
}
