// Package smtptest runs a real SMTP server (emersion/go-smtp) on 127.0.0.1
// for tests and benchmarks. It counts what it accepts and can be told, at
// run time, to answer 4xx or 5xx, to drop a connection in the middle of
// DATA, to say 421 and hang up, or to stall.
package smtptest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// A Message is one message the server accepted, with its envelope.
type Message struct {
	From string
	To   []string
	Data []byte
	// TLS says the message came over an encrypted session: implicit TLS,
	// or a connection the client upgraded with STARTTLS.
	TLS bool
}

// ConnStats counts TCP connections as the server saw them.
type ConnStats struct {
	Open  int // open now
	Peak  int // most open at the same time
	Total int // accepted since start
}

// A Server is a running SMTP server. Its methods are safe for concurrent use.
type Server struct {
	cfg       config
	srv       *smtp.Server
	ln        net.Listener
	clientTLS *tls.Config
	faults    atomic.Pointer[Faults]
	done      chan struct{}
	served    chan struct{}
	closeOnce sync.Once

	mu sync.Mutex
	// counts is keyed by a hash of the address, not the address: a map
	// without pointers, which the garbage collector does not walk. With
	// strings, a million-reader benchmark had the sink spend a quarter of
	// its CPU scanning it. Two of a million addresses share a 64-bit hash
	// with odds of about one in 37 million.
	counts   map[uint64]int
	seed     maphash.Seed
	msgs     []Message
	total    int
	bytes    int64
	attempts map[string]int
	rng      *rand.Rand
	conns    map[*conn]struct{}
	stats    ConnStats
}

// Start starts a server on 127.0.0.1:0 and, when t is not nil, closes it
// when the test ends. With a nil t a failure to start panics and the
// caller must call Close.
func Start(t testing.TB, opts ...Option) *Server {
	if t != nil {
		t.Helper()
	}
	s, err := start(opts)
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatalf("smtptest: %v", err)
	}
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

func start(opts []Option) (*Server, error) {
	s := &Server{
		done:     make(chan struct{}),
		served:   make(chan struct{}),
		counts:   make(map[uint64]int),
		seed:     maphash.MakeSeed(),
		attempts: make(map[string]int),
		conns:    make(map[*conn]struct{}),
	}
	for _, o := range opts {
		o(&s.cfg)
	}
	s.SetFaults(s.cfg.faults)
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "smtptest.localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = time.Minute
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.Debug = s.cfg.debug
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s.ln = &listener{Listener: ln, s: s}
	if s.cfg.startTLS || s.cfg.implicitTLS {
		serverTLS, clientTLS, err := newCert()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.clientTLS = clientTLS
		if s.cfg.startTLS {
			s.srv.TLSConfig = serverTLS
		} else {
			s.ln = tls.NewListener(s.ln, serverTLS)
		}
	}
	go func() {
		defer close(s.served)
		s.srv.Serve(s.ln)
	}()
	return s, nil
}

// Close stops the server and closes every connection. It is safe to call
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		// Hang up on every client and wait for go-smtp's handlers to end
		// before it cleans up: its Close, with a connection still open
		// that took a BDAT chunk, races with that connection's goroutine
		// (go-smtp v0.25.1, Conn.bdatPipe).
		s.ln.Close()
		s.DropConns()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
			s.srv.Close()
		}
		<-s.served
	})
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns an smtp:// URL for the server in the form Bulletin reads
// BULLETIN_SMTP_URL, with the credentials and tls mode it was started with.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr(), RawQuery: "tls=none"}
	if s.cfg.user != "" {
		u.User = url.UserPassword(s.cfg.user, s.cfg.pass)
	}
	switch {
	case s.cfg.startTLS:
		u.RawQuery = "tls=starttls"
	case s.cfg.implicitTLS:
		u.RawQuery = "tls=tls"
	}
	return u.String()
}

// ClientTLSConfig returns a TLS configuration that trusts the server's
// self-signed certificate, or nil when the server was started without TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Count returns how many accepted messages were addressed to rcpt.
func (s *Server) Count(rcpt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[maphash.String(s.seed, rcpt)]
}

// Recipients returns how many different addresses the server accepted a
// message for. With Total it tells exactly once from a mix of missed and
// doubled readers.
func (s *Server) Recipients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.counts)
}

// Total returns how many messages the server accepted (a message to two
// recipients counts once).
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// Bytes returns the size of the accepted messages' data, summed, as the
// server read it (without dot-stuffing and the final dot).
func (s *Server) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// Messages returns the accepted messages in order of acceptance; empty in
// discard mode.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// ConnStats returns the connection counts.
func (s *Server) ConnStats() ConnStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// DropConns closes every open connection from the server's side, as a
// server that restarts or times idle clients out would.
func (s *Server) DropConns() {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

func (s *Server) record(m Message, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	s.bytes += size
	for _, r := range m.To {
		s.counts[maphash.String(s.seed, r)]++
	}
	if !s.cfg.discard {
		s.msgs = append(s.msgs, m)
	}
}

// listener counts connections and keeps them so DropConns can close them.
type listener struct {
	net.Listener
	s *Server
}

func (l *listener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &conn{Conn: nc, s: l.s}
	if l.s.cfg.noPipelining {
		c.hide = append(c.hide, "250-PIPELINING\r\n")
	}
	c.noBDAT = l.s.cfg.noBDAT
	c.batch = l.s.cfg.batchReplies
	if l.s.cfg.noChunking {
		c.hide = append(c.hide, "250-CHUNKING\r\n")
	}
	l.s.mu.Lock()
	l.s.conns[c] = struct{}{}
	l.s.stats.Open++
	l.s.stats.Total++
	l.s.stats.Peak = max(l.s.stats.Peak, l.s.stats.Open)
	l.s.mu.Unlock()
	return c, nil
}

// conn is a server-side connection.
type conn struct {
	net.Conn
	s    *Server
	once sync.Once
	hide []string // lines of the EHLO reply not to write
	// noBDAT turns BDAT commands into an unknown verb as they are read
	// (WithoutBDAT). It sees one read at a time: a client's pipelined
	// group arrives in one on loopback.
	noBDAT bool
	// batch holds replies in held until the server reads again
	// (WithBatchedReplies). go-smtp reads through a buffer of its own, so
	// it calls Read only when every command it had is answered.
	batch bool
	mu    sync.Mutex // guards held: Close may come from another goroutine
	held  []byte
}

// Read writes the replies held, then reads; it renames BDAT at the start
// of a line when asked to.
func (c *conn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	if c.noBDAT {
		for i := 0; i+5 <= n; i++ {
			if (i == 0 || p[i-1] == '\n') && string(p[i:i+5]) == "BDAT " {
				p[i] = 'X'
			}
		}
	}
	return n, err
}

func (c *conn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		delete(c.s.conns, c)
		c.s.stats.Open--
		c.s.mu.Unlock()
	})
	c.flush() // a reply written before hanging up, such as 221 or 421
	return c.Conn.Close()
}

// flush writes the replies held.
func (c *conn) flush() error {
	if !c.batch {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.held) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.held)
	c.held = c.held[:0]
	return err
}

// Write drops the PIPELINING or CHUNKING line of the EHLO reply when
// asked to: go-smtp always advertises both, never as the last line, and
// writes each reply line with its own Write.
func (c *conn) Write(p []byte) (int, error) {
	if len(c.hide) > 0 && slices.Contains(c.hide, string(p)) {
		return len(p), nil
	}
	if c.batch {
		c.mu.Lock()
		c.held = append(c.held, p...)
		c.mu.Unlock()
		return len(p), nil
	}
	return c.Conn.Write(p)
}
