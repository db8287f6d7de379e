package mailer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// SMTP is a Transport that sends over a pool of at most Conns persistent
// SMTP connections, opened as needed and kept for the next message.
//
// A message goes as one BDAT chunk, several in flight on a connection,
// when the server offers CHUNKING and PIPELINING (smtp_chunk.go), and with
// DATA otherwise.
//
// Every command has a deadline. A connection that was idle for longer than
// IdleCheck is tested with NOOP before use. A message is tried once more
// on a new connection when the server answers 421 or the connection fails
// before the server can have taken it (before its data went out, or, with
// BDAT, before the server answered anything on the connection); a
// connection lost after that is reported, never retried at once, because
// the server may have accepted the message and a retry could deliver it
// twice.
//
// Errors are *SendError: 5xx replies to RCPT TO or to the data are
// permanent; 4xx replies, network failures and failures to connect, to
// start TLS, to authenticate or to be accepted as sender (MAIL FROM) are
// not. A context that ends first yields its own error.
type SMTP struct {
	cfg     SMTPConfig
	limiter *rate.Limiter // nil: unlimited
	sem     chan struct{} // one token per open or opening connection in use
	stream  *queue        // what SendAsync was given and no connection took yet
	signing presigner     // signs SendAsync's signed messages ahead (smtp_presign.go)
	// noBDAT is set once the server has taken BDAT for an unknown command
	// although it offers CHUNKING: from then on messages go with DATA.
	noBDAT atomic.Bool

	// draining is set by Drain: connections take no more messages.
	draining atomic.Bool

	mu     sync.Mutex
	idle   []*smtpConn // most recently used last
	closed bool
}

var _ Transport = (*SMTP)(nil)

var errClosed = &SendError{Message: "smtp: transport closed"}

// ErrStopping is the cause of the error of a message the pool did not
// send because it drains (Drain): the process stops, and the message goes
// after the restart.
var ErrStopping = errors.New("the process stops")

// errDrained is the error of a message the pool did not send as it
// drains.
var errDrained = fmt.Errorf("smtp: not sent: %w", ErrStopping)

// NewSMTP returns an SMTP transport for cfg, with the defaults filled in.
// It connects lazily, on the first message.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: no host")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, errors.New("smtp: port out of range")
	}
	if _, ok := defaultPorts[cfg.TLS]; !ok && cfg.TLS != "" {
		return nil, errors.New("smtp: unknown TLS mode " + string(cfg.TLS))
	}
	cfg = cfg.withDefaults()
	s := &SMTP{cfg: cfg, sem: make(chan struct{}, cfg.Conns), stream: newQueue(nil)}
	s.signing.room = make(chan struct{}, s.presignAhead())
	if cfg.Rate > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(cfg.Rate), 1)
	}
	return s, nil
}

// Send delivers msg from the envelope sender from to every address in to,
// or to none of them: a refused recipient fails the whole message.
//
// The message goes through the pool's shared stream, ahead of the
// campaign messages waiting there (as Outgoing.Transactional does): a
// message sent on its own is one someone waits for, an editor's test of a
// campaign or a reader's link. It waited for a connection of its own, and
// while a campaign was sending every connection stayed with the stream
// until it ran dry: a test send took minutes. Now it goes on the next
// connection to take a message, within the same BULLETIN_SMTP_RATE,
// behind at most the few messages that connection has on the wire. ctx
// keeps it from going while no connection has taken it; once one has,
// Send waits for the server's answer, as the message may be taken
// whatever the caller does.
func (s *SMTP) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if err := checkEnvelope(from, to); err != nil {
		return err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errClosed // not on a stream connection still at work either
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("smtp: not sent: %w", err)
	}
	done := make(chan error, 1)
	j := &job{from: from, to: to, data: msg, ctx: ctx, first: true, report: func(err error) { done <- err }}
	s.enqueue(j)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	if s.stream.remove(j) {
		return fmt.Errorf("smtp: not sent: %w", ctx.Err())
	}
	return <-done // on the wire: its answer comes
}

// Drain makes the pool hand no more messages to the server: a message no
// connection has taken yet fails with an error that wraps ErrStopping,
// now or when it is handed over, and those on the wire are answered and
// reported as usual. serve drains its pool as it stops, once its campaign
// batches have stopped (Sender.Drain): a confirmation task sending a
// batch to a slow relay used to send on until the queue gave up on it,
// and the mails it had sent since went again after the restart, their
// results never written. Now the task gets its answers within the stop,
// records what went and hands the rest back.
func (s *SMTP) Drain() { s.draining.Store(true) }

// Close closes the idle connections, and the others as soon as they are
// released. Sending after Close fails.
func (s *SMTP) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	for _, c := range idle {
		c.quit()
	}
	return nil
}

// acquire returns a connection for the caller's exclusive use, waiting
// while Conns of them are in use.
func (s *SMTP) acquire(ctx context.Context) (*smtpConn, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		c, err := s.popIdle()
		if err != nil {
			<-s.sem
			return nil, err
		}
		if c == nil {
			break
		}
		c.cancelled.Store(false)
		if time.Since(c.lastUsed) < s.cfg.IdleCheck || c.noop() == nil {
			c.chunking = c.chunking && !s.noBDAT.Load()
			return c, nil
		}
		c.abort()
	}
	c, err := dialSMTP(ctx, &s.cfg)
	if err != nil {
		<-s.sem
		return nil, err
	}
	c.chunking = c.chunking && !s.noBDAT.Load()
	return c, nil
}

func (s *SMTP) popIdle() (*smtpConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	if len(s.idle) == 0 {
		return nil, nil
	}
	c := s.idle[len(s.idle)-1]
	s.idle = s.idle[:len(s.idle)-1]
	return c, nil
}

// release gives back a connection, closing it when it is broken.
func (s *SMTP) release(c *smtpConn) {
	defer func() { <-s.sem }()
	if c.broken {
		c.abort()
		return
	}
	c.lastUsed = time.Now()
	c.raw.SetDeadline(time.Time{})
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.idle = append(s.idle, c)
	}
	s.mu.Unlock()
	if closed {
		c.quit()
	}
}

// checkEnvelope refuses addresses that would break the command line.
func checkEnvelope(from string, to []string) error {
	if len(to) == 0 {
		return &SendError{Code: 501, Message: "5.5.4 no recipient", Permanent: true}
	}
	for i, a := range append([]string{from}, to...) {
		if strings.ContainsAny(a, "\r\n<>") || i > 0 && a == "" {
			return &SendError{Code: 501, Message: "5.1.3 bad address " + strconv.Quote(a), Permanent: true}
		}
	}
	return nil
}
