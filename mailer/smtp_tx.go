package mailer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/textproto"
	"slices"
	"strings"

	"github.com/bulletinhq/bulletin/internal/events"
)

// A job is one message on its way over SMTP.
type job struct {
	from  string
	to    []string
	data  []byte
	body  Composer // used when data is nil
	err   error
	done  bool
	tries int // failed attempts the server cannot have accepted
	// ctx and report belong to a job of the shared stream (SendAsync):
	// its caller's context, and where its outcome goes.
	ctx    context.Context
	report func(error)
	// signed is the message as the signing stage signed it ahead, until a
	// connection takes it; crlf says it has CRLF line ends only, and taken,
	// when set, is called once as the job leaves the stream's queue.
	signed []byte
	crlf   bool
	taken  func()
	// reply is the text of the server's acceptance of the data, and
	// relayID where the id it names goes (Outgoing.RelayID).
	reply   string
	relayID *string
	// first says the job goes before the stream's other jobs
	// (Outgoing.Transactional).
	first bool
}

// errConn marks a failure after which the connection is unusable even
// though the server may have answered (a failed RSET).
type errConn struct{ err error }

func (e errConn) Error() string { return e.err.Error() }

// writeEnvelope buffers RSET (after an unfinished transaction), MAIL FROM,
// RCPT TO and DATA for j without waiting for replies (RFC 2920).
func (c *smtpConn) writeEnvelope(j *job) {
	c.writeMailRcpt(j)
	c.w.WriteString("DATA\r\n")
}

// writeMailRcpt buffers RSET (after an unfinished transaction), MAIL FROM
// and RCPT TO for j.
func (c *smtpConn) writeMailRcpt(j *job) {
	c.writeMailRcptRSET(j, c.dirty)
	c.rset, c.dirty = c.dirty, true
}

// writeMailRcptRSET buffers MAIL FROM and RCPT TO for j, after RSET when
// rset says so.
func (c *smtpConn) writeMailRcptRSET(j *job, rset bool) {
	w := c.w
	if rset {
		w.WriteString("RSET\r\n")
	}
	w.WriteString("MAIL FROM:<" + j.from + ">\r\n")
	for _, to := range j.to {
		w.WriteString("RCPT TO:<" + to + ">\r\n")
	}
}

// readEnvelope reads the replies to what writeEnvelope wrote.
func (c *smtpConn) readEnvelope(j *job) error { return c.readReplies(j, 354) }

// readReplies reads the replies to a pipelined RSET, MAIL FROM and RCPT TO
// for j, and to the command after them whose success is last (354 for
// DATA, 250 for BDAT; 0 for none). It reads all of them unless the
// connection fails, and returns the first refusal. A DATA that was let
// through although a recipient was refused is abandoned with the
// connection: sending the message would deliver it to part of the list.
func (c *smtpConn) readReplies(j *job, last int) error {
	c.lastRefused = false
	c.arm()
	if c.rset {
		c.rset = false
		if _, _, err := c.text.ReadResponse(25); err != nil {
			// A 421 says the server took nothing more on this
			// connection: the message goes again on another.
			var te *textproto.Error
			if errors.As(err, &te) && te.Code == 421 {
				return err
			}
			return errConn{err}
		}
	}
	n := len(j.to) + 1
	if last != 0 {
		n++
	}
	var first error
	for i := range n {
		expect := 25
		if last != 0 && i == n-1 {
			expect = last
		}
		_, msg, err := c.text.ReadResponse(expect)
		if err == nil {
			c.heard = true
			if last == 250 && i == n-1 {
				j.reply = msg // BDAT LAST accepted
			}
			continue
		}
		var te *textproto.Error
		if !errors.As(err, &te) {
			return err
		}
		c.heard = true
		if te.Code == 421 {
			return err
		}
		if last != 0 && i == n-1 && first == nil {
			c.lastRefused = true
		}
		if first == nil {
			first = err
			switch {
			case i == 0:
				first = mailFromError(te)
			case last == 0 || i < n-1:
				first = recipientRefused(te)
			}
		}
		if last != 0 && i == n-1 {
			return first // the last command refused, as it should be
		}
	}
	if first != nil && last != 0 {
		c.broken = true
	}
	return first
}

// envelopeLockstep sends j's envelope one command at a time, for servers
// without PIPELINING, and stops at the first refusal.
func (c *smtpConn) envelopeLockstep(j *job) error {
	c.lastRefused = false
	if c.dirty {
		if err := c.cmd(250, "RSET"); err != nil {
			return errConn{err}
		}
	}
	c.dirty = true
	if err := c.cmd(25, "MAIL FROM:<%s>", j.from); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code != 421 {
			return mailFromError(te)
		}
		return err
	}
	for _, to := range j.to {
		if err := c.cmd(25, "RCPT TO:<%s>", to); err != nil {
			var te *textproto.Error
			if errors.As(err, &te) && te.Code != 421 {
				return recipientRefused(te)
			}
			return err
		}
	}
	err := c.cmd(354, "DATA")
	c.lastRefused = err != nil
	return err
}

// writeData buffers j's message, dot-stuffed with CRLF line ends, and the
// final dot, after which the server forgets the transaction whatever it
// answers.
func (c *smtpConn) writeData(j *job) {
	if j.data != nil || j.body == nil {
		writeDotted(c.w, j.data)
	} else {
		c.prepare(j)
		if c.crlf {
			writeCRLFDotted(c.w, c.buf)
		} else {
			writeDotted(c.w, c.buf)
		}
	}
	c.ready = nil
	c.dirty = false
}

// prepare composes j's message into the connection's buffer, unless it is
// there already. Called while the server still reads the message before,
// it takes composing off the round trip.
func (c *smtpConn) prepare(j *job) {
	if j.data != nil || j.body == nil || c.ready == j {
		return
	}
	if j.signed != nil {
		c.takeSigned(j)
		return
	}
	c.buf = j.body.AppendTo(c.buf[:0])
	cc, ok := j.body.(crlfComposer)
	c.crlf = ok && cc.crlfOnly()
	c.ready = j
}

// A crlfComposer knows whether the messages it composes have CRLF line
// ends only, ending with one, as a campaign's always do.
type crlfComposer interface {
	crlfOnly() bool
}

// flushRead sends what is buffered, composes next (if any) meanwhile, and
// reads the reply to a message's data, returning its text.
func (c *smtpConn) flushRead(next *job) (string, error) {
	if err := c.flush(); err != nil {
		return "", err
	}
	if next != nil {
		c.prepare(next)
	}
	_, msg, err := c.text.ReadResponse(25)
	return msg, err
}

// flush sends what is buffered.
func (c *smtpConn) flush() error {
	c.arm()
	if err := c.w.Flush(); err != nil {
		return err
	}
	return c.text.W.Flush()
}

// writeCRLFDotted writes data, which has CRLF line ends only and ends
// with one, dot-stuffed and with the final dot: it only searches for the
// lines starting with a dot, a few in a composed message.
func writeCRLFDotted(w *bufio.Writer, data []byte) {
	if len(data) > 0 && data[0] == '.' {
		w.WriteByte('.')
	}
	for {
		i := bytes.Index(data, []byte("\n."))
		if i < 0 {
			break
		}
		w.Write(data[:i+1])
		w.WriteByte('.')
		data = data[i+1:] // starts with the line's own dot
	}
	w.Write(data)
	w.WriteString(".\r\n")
}

// writeDotted writes data dot-stuffed, with CRLF line ends and the final
// dot. It makes one pass and writes runs of lines that need no change in
// one piece: a composed message has CRLF line ends and only a few lines
// starting with a dot (where quoted-printable wrapped after a full stop),
// so it goes out in a few writes, not three per line.
func writeDotted(w *bufio.Writer, data []byte) {
	start := 0 // the first byte not written yet
	for i := 0; i < len(data); {
		if data[i] == '.' { // i starts a line
			w.Write(data[start:i])
			w.WriteByte('.')
			start = i
		}
		n := bytes.IndexByte(data[i:], '\n')
		if n < 0 { // an unended last line
			w.Write(bytes.TrimSuffix(data[start:], []byte{'\r'}))
			w.WriteString("\r\n")
			start = len(data)
			break
		}
		end := i + n
		if end == 0 || data[end-1] != '\r' { // a bare LF
			w.Write(data[start:end])
			w.WriteString("\r\n")
			start = end + 1
		}
		i = end + 1
	}
	w.Write(data[start:])
	w.WriteString(".\r\n")
}

// mailFromError is a refused MAIL FROM: never permanent, since the sender
// address or the account is wrong, not the recipient, who must not be
// counted as a bounce for it.
func mailFromError(te *textproto.Error) *SendError {
	return &SendError{Code: te.Code, Message: te.Msg}
}

// recipientRefused is a refused RCPT TO: the reader's, as a rule, but not
// when the relay says it will not relay for Bulletin at all ("554 5.7.1
// <…>: Relay access denied", Postfix's answer to a client it does not
// trust; "550 5.7.1 Unable to relay") or wants it signed in first (530):
// that refuses every recipient alike, and counted as the readers' bounces
// it would bounce the whole list. Those are made temporary, as a refused
// MAIL FROM is: retried, and the campaign says what it waits on.
//
// What is left refuses the address alone (rcptRefusal): a 5xx is its
// bounce, and a 4xx ("451 4.3.0", greylisting, a full mailbox for now)
// says nothing of whether the server takes mail for other addresses,
// which the refusal gate needs to know (refusalGate).
func recipientRefused(te *textproto.Error) error {
	if blamesReader(te.Msg) { // "5.1.1 … User unknown in relay recipient table"
		return rcptRefusal{te}
	}
	msg := strings.ToLower(te.Msg)
	if te.Code == 530 || strings.Contains(msg, "relay") || slices.ContainsFunc(notTheReader, func(w string) bool { return strings.Contains(msg, w) }) {
		return &SendError{Code: te.Code, Message: te.Msg}
	}
	return rcptRefusal{te}
}

// An rcptRefusal is a reply to RCPT TO that refuses its address alone
// (recipientRefused); classify makes it a SendError with rcpt set.
type rcptRefusal struct{ te *textproto.Error }

func (e rcptRefusal) Error() string { return e.te.Error() }
func (e rcptRefusal) Unwrap() error { return e.te }

// notTheReader are the words of RCPT TO refusals about the client or the
// sender, not the recipient: Postfix holds its client, HELO and sender
// checks until RCPT TO (smtpd_delay_reject), so a relay that will not
// take Bulletin's sender ("553 5.7.1 <news@…>: Sender address rejected:
// not owned by user") refuses every reader with them.
var notTheReader = []string{"authentication required", "sender address rejected", "client host rejected", "helo command rejected"}

// messageRefused is se, a permanent refusal of a message whose recipients
// the server had all accepted (at DATA, BDAT LAST or the end of its data),
// made temporary unless its enhanced status blames the address (5.1.x) or
// the mailbox (5.2.x). A relay refusing the message itself says something
// of the sender, the account or the content: a daily quota used up
// ("554 Throttling failure"), a policy block ("550 5.7.1"), a bare "554
// Transaction failed". Counted as the reader's bounce, it would mark every
// reader of the list bounced within a few campaigns; retried, it leaves
// the readers alone, the campaign shows the reply it is waiting on, and
// what is still refused at the last attempt is failed, not bounced.
func messageRefused(se *SendError) *SendError {
	if !se.Permanent {
		return se
	}
	if blamesReader(se.Message) {
		return se
	}
	return &SendError{Code: se.Code, Message: se.Message}
}

// blamesReader reports whether a reply's enhanced status, where the
// bounce recorder finds it (events.StatusOf, anywhere in the text), is
// about the recipient's address (5.1.x, but for 5.1.7 and 5.1.8, which
// are the sender's) or mailbox (5.2.x).
func blamesReader(msg string) bool {
	status := events.StatusOf(msg)
	if status == "5.1.7" || status == "5.1.8" {
		return false
	}
	return strings.HasPrefix(status, "5.1.") || strings.HasPrefix(status, "5.2.")
}

// classify maps a failed step to a SendError and says whether the
// connection is done for and whether the message may be tried again on a
// new one: only when the server cannot have accepted it, which is the case
// for a 421 reply or a connection lost before any of its data was sent.
func classify(err error, dataSent bool) (se *SendError, broken, retry bool) {
	var te *textproto.Error
	var ce errConn
	switch {
	case errors.As(err, &se):
		return se, false, false
	case errors.As(err, &ce):
		return &SendError{Message: "smtp: " + ce.Error()}, true, !dataSent
	case errors.As(err, &te):
		var rr rcptRefusal
		se = &SendError{Code: te.Code, Message: te.Msg, Permanent: te.Code >= 500, rcpt: errors.As(err, &rr)}
		return se, te.Code == 421, te.Code == 421
	default:
		return &SendError{Message: "smtp: " + err.Error()}, true, !dataSent
	}
}
