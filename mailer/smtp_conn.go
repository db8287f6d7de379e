package mailer

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// An smtpConn is one open, greeted and authenticated SMTP connection. The
// handshake is net/smtp's; transactions go straight through its Text so
// that commands can be pipelined.
type smtpConn struct {
	raw    net.Conn // the TCP connection, for deadlines
	client *smtp.Client
	text   *textproto.Conn
	// w buffers a pipelined group, whole messages included, in front of
	// text's 4 KB writer so that a group goes out in one write.
	w          *bufio.Writer
	buf        []byte // a message composed at send time (job.body)
	ready      *job   // the job whose message buf holds
	crlf       bool   // buf has CRLF line ends only (crlfComposer)
	norm       []byte // a message with its line ends mended, for BDAT
	timeout    time.Duration
	pipelining bool
	// chunking says messages go as one BDAT chunk each (RFC 3030): the
	// server offers CHUNKING and PIPELINING.
	chunking bool
	lastUsed time.Time
	// dirty says a transaction was begun and not ended by the reply to its
	// data: the next one must start with RSET.
	dirty bool
	rset  bool // an RSET was written and its reply is still to be read
	// heard says the server answered a command of the transaction after
	// RSET: until it has, a lost connection means it took none of it.
	heard bool
	// lastRefused says the error being settled is the reply to the last
	// command of a transaction whose recipients were all accepted (DATA,
	// BDAT LAST) or to the message's data: the server refused the
	// message, not an address (messageRefused).
	lastRefused bool
	// broken says the connection cannot be used again.
	broken    bool
	cancelled atomic.Bool
}

// dialSMTP connects, greets, upgrades to TLS and authenticates as cfg says.
// Its errors are never permanent: they say nothing about a recipient.
func dialSMTP(ctx context.Context, cfg *SMTPConfig) (*smtpConn, error) {
	// The EHLO name may be read from the database: before the dial, so
	// the server's session does not wait on it.
	hello := cfg.helloName()
	d := net.Dialer{Timeout: cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", cfg.Addr())
	if err != nil {
		return nil, connectError("dial", err)
	}
	c := &smtpConn{raw: raw, timeout: cfg.Timeout}
	defer c.watch(ctx)()
	if err := c.handshake(cfg, hello); err != nil {
		raw.Close()
		return nil, err
	}
	if c.cancelled.Load() {
		c.abort()
		return nil, connectError("dial", ctx.Err())
	}
	return c, nil
}

func (c *smtpConn) handshake(cfg *SMTPConfig, hello string) error {
	var conn net.Conn = c.raw
	c.arm()
	if cfg.TLS == TLSImplicit {
		tc := tls.Client(c.raw, cfg.tlsConfig())
		if err := tc.Handshake(); err != nil {
			return connectError("tls", err)
		}
		conn = tc
	}
	cl, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		return connectError("greeting", err)
	}
	c.client = cl
	c.arm()
	if err := cl.Hello(hello); err != nil {
		return connectError("EHLO", err)
	}
	if cfg.TLS == TLSStartTLS || cfg.TLS == TLSAuto {
		if ok, _ := cl.Extension("STARTTLS"); ok {
			c.arm()
			if err := cl.StartTLS(cfg.tlsConfig()); err != nil {
				return connectError("STARTTLS", err)
			}
		} else if cfg.TLS == TLSStartTLS {
			return connectError("STARTTLS", errors.New("the server does not offer STARTTLS"))
		}
	}
	if cfg.Username != "" {
		if err := c.auth(cfg); err != nil {
			return err
		}
	}
	c.pipelining, _ = cl.Extension("PIPELINING")
	chunking, _ := cl.Extension("CHUNKING")
	c.chunking = c.pipelining && chunking && !cfg.NoChunking
	c.text = cl.Text
	c.w = bufio.NewWriterSize(cl.Text.W, 64<<10)
	c.lastUsed = time.Now()
	return nil
}

// auth logs in with PLAIN when offered, else LOGIN. Both refuse to send a
// password over plain text to anything but the local host.
func (c *smtpConn) auth(cfg *SMTPConfig) error {
	ok, list := c.client.Extension("AUTH")
	if !ok {
		return connectError("AUTH", errors.New("the server does not offer AUTH"))
	}
	mechs := strings.Fields(strings.ToUpper(list))
	var a smtp.Auth
	switch {
	case slices.Contains(mechs, "PLAIN"):
		a = smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host)
	case slices.Contains(mechs, "LOGIN"):
		a = &loginAuth{user: cfg.Username, pass: cfg.Password, host: cfg.Host}
	default:
		return connectError("AUTH", fmt.Errorf("the server offers %s, want PLAIN or LOGIN", list))
	}
	c.arm()
	if err := c.client.Auth(a); err != nil {
		return connectError("AUTH", err)
	}
	return nil
}

// arm gives the next command its deadline, or an expired one once the
// context of the operation has ended.
func (c *smtpConn) arm() {
	if c.cancelled.Load() {
		c.raw.SetDeadline(time.Unix(1, 0))
		return
	}
	c.raw.SetDeadline(time.Now().Add(c.timeout))
}

// watch makes the connection fail at once when ctx ends, until the
// returned stop is called. A ctx that ends as its caller is done with the
// connection may have started the callback already: stop then waits for
// it and clears its mark, so that it cannot fail the connection's next
// user (a stream, which does not watch).
func (c *smtpConn) watch(ctx context.Context) (stop func()) {
	c.cancelled.Store(false)
	done := make(chan struct{})
	s := context.AfterFunc(ctx, func() {
		defer close(done)
		c.cancelled.Store(true)
		c.raw.SetDeadline(time.Unix(1, 0))
	})
	return func() {
		if !s() {
			<-done
			c.cancelled.Store(false)
		}
	}
}

// cmd sends one command and reads its reply, lock-step.
func (c *smtpConn) cmd(expect int, format string, args ...any) error {
	c.arm()
	if err := c.text.PrintfLine(format, args...); err != nil {
		return err
	}
	_, _, err := c.text.ReadResponse(expect)
	return err
}

// noop checks that an idle connection still works.
func (c *smtpConn) noop() error { return c.cmd(250, "NOOP") }

// quit says goodbye politely and closes.
func (c *smtpConn) quit() {
	c.raw.SetDeadline(time.Now().Add(min(c.timeout, time.Second)))
	c.client.Quit()
	c.raw.Close()
}

// abort closes without a word.
func (c *smtpConn) abort() { c.raw.Close() }

// connectError maps a failure to set up a connection to a temporary
// SendError: a wrong password or a refused STARTTLS must not bounce the
// recipient.
func connectError(stage string, err error) *SendError {
	var te *textproto.Error
	if errors.As(err, &te) {
		return &SendError{Code: te.Code, Message: "smtp " + stage + ": " + te.Msg}
	}
	return &SendError{Message: "smtp " + stage + ": " + err.Error()}
}

// loginAuth is the LOGIN mechanism, which net/smtp lacks and many relays
// (Office 365 among them) still ask for: the user name, then the password,
// each in answer to a challenge.
type loginAuth struct {
	user, pass, host string
	step             int
}

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	local := server.Name == "localhost" || server.Name == "127.0.0.1" || server.Name == "::1"
	if !server.TLS && !local {
		return "", nil, errors.New("unencrypted connection")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	a.step++
	switch a.step {
	case 1:
		return []byte(a.user), nil
	case 2:
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("unexpected LOGIN challenge %q", challenge)
}
