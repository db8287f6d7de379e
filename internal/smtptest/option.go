package smtptest

import "io"

// An Option configures a Server at Start.
type Option func(*config)

type config struct {
	discard      bool
	user, pass   string
	mechs        []string
	startTLS     bool
	implicitTLS  bool
	noPipelining bool
	noChunking   bool
	noBDAT       bool
	batchReplies bool
	debug        io.Writer
	faults       Faults
	accept       func(Message) string
}

// WithDiscard makes the server only count messages and recipients, not
// keep them: for benchmarks.
func WithDiscard() Option { return func(c *config) { c.discard = true } }

// WithBatchedReplies makes the server answer as Postfix does when a
// client pipelines: replies wait while commands the client sent with them
// are still to be read, and go out together, in one write, before the
// server waits for more input (RFC 2920 §3.2 lets a server buffer so). By
// default every reply line is a write of its own, as go-smtp writes them.
// A client must cope with both; for benchmarks this is the relay's side
// of the wire as it is in production, one wake-up per pipelined group and
// not one per command.
func WithBatchedReplies() Option { return func(c *config) { c.batchReplies = true } }

// WithAuth requires authentication as user with password pass before MAIL
// FROM. mechs are the SASL mechanisms offered, PLAIN and LOGIN by default.
func WithAuth(user, pass string, mechs ...string) Option {
	return func(c *config) {
		c.user, c.pass = user, pass
		c.mechs = mechs
		if len(mechs) == 0 {
			c.mechs = []string{"PLAIN", "LOGIN"}
		}
	}
}

// WithStartTLS offers STARTTLS with a self-signed certificate for
// 127.0.0.1; see Server.ClientTLSConfig.
func WithStartTLS() Option { return func(c *config) { c.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte (port 465
// style) with a self-signed certificate for 127.0.0.1.
func WithImplicitTLS() Option { return func(c *config) { c.implicitTLS = true } }

// WithoutPipelining hides PIPELINING from the EHLO reply of a plain-text
// connection, so that clients fall back to lock-step commands.
func WithoutPipelining() Option { return func(c *config) { c.noPipelining = true } }

// WithoutChunking hides CHUNKING (RFC 3030) from the EHLO reply, so that
// clients send with DATA.
func WithoutChunking() Option { return func(c *config) { c.noChunking = true } }

// WithoutBDAT makes a plain-text server offer CHUNKING and then not know BDAT, as
// a broken relay or a meddling middlebox might: it answers the command as
// unknown and reads the chunk that follows as commands.
func WithoutBDAT() Option { return func(c *config) { c.noBDAT = true } }

// WithFaults starts the server with faults already set; see SetFaults.
func WithFaults(f Faults) Option { return func(c *config) { c.faults = f } }

// WithDebug copies the whole conversation of every connection to w, which
// must be safe for concurrent writes.
func WithDebug(w io.Writer) Option { return func(c *config) { c.debug = w } }

// WithAcceptReply makes the server answer each message it accepts with
// "250 2.0.0 " and the text f returns for it (f may be called from
// several connections at once), as relays that name the message they
// queued do: "Ok: queued as 4Xb9Zk1Qz3z5". By default it answers
// "250 2.0.0 OK: queued".
func WithAcceptReply(f func(Message) string) Option { return func(c *config) { c.accept = f } }
