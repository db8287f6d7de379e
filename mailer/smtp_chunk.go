package mailer

import (
	"bytes"
	"errors"
	"fmt"
	"net/textproto"
	"strconv"
)

// With CHUNKING (RFC 3030) and PIPELINING a message goes out as MAIL FROM,
// RCPT TO and one "BDAT <size> LAST" followed by its bytes as they are:
// neither end has to dot-stuff it or scan it for the end marker, which is
// most of what a server spends on a message it discards or queues; and
// since nothing waits for a 354, the next messages can follow before the
// replies to the first come back. A connection keeps up to chunkWindow
// messages unanswered, so a message costs a fraction of a round trip
// instead of one (over a WAN link, a round trip is tens of milliseconds).
//
// Every message written while another is still unanswered starts with
// RSET: should the one before fail, whatever state the server kept of it
// must not leak into the next. Sending RSET only once a refusal is read
// is not enough: a server that kept the refused message's MAIL FROM (as
// Postfix does after a refused RCPT TO) answers the next MAIL FROM 503 but
// may then take its RCPT TO and chunk into the open transaction, under the
// other message's envelope: delivered, though its MAIL FROM was refused
// (TestSendBatchAfterRefusal's server does that). The RSET costs go-smtp a
// reply a message (docs/benchmarks.md).
//
// A message for several recipients is sent alone, its envelope's replies
// read before its chunk goes, so that it reaches all of them or none, as
// with DATA.

// chunkWindow is how many messages a connection keeps in flight.
const chunkWindow = 4

// A flight is what a connection has written and not had answered yet,
// oldest first.
type flight struct {
	jobs []*job
	rset []bool // the job's transaction began with RSET
	// heard says the server answered something on this connection since
	// the flight began: until it has, a lost connection means it took
	// none of the flight.
	heard bool
}

// runChunked sends jobs as BDAT chunks until the queue is empty or the
// connection breaks.
func (w *sender) runChunked(j *job) {
	c := w.c
	var f flight
	for {
		for j != nil && !c.broken {
			if len(j.to) > 1 {
				if len(f.jobs) > 0 {
					break // settle the flight first
				}
				j = w.alone(j)
				continue
			}
			if j.ctx != nil && j.ctx.Err() != nil {
				// Its caller gave up while it waited for a connection.
				w.q.finish(j, fmt.Errorf("smtp: not sent: %w", j.ctx.Err()))
			} else {
				rset := c.dirty || len(f.jobs) > 0
				c.dirty = false
				if len(f.jobs) == 0 {
					// A new flight: what the server answered to the
					// last one says nothing of whether it takes this
					// one (a relay may hang up on an idle client).
					f.heard = false
					// A big chunk spills from the buffer into the
					// socket as it is written: the write needs its
					// deadline now, not at the flush (a connection
					// taken back from the idle list has none).
					c.arm()
				}
				c.writeMailRcptRSET(j, rset)
				c.writeChunk(j)
				f.jobs, f.rset = append(f.jobs, j), append(f.rset, rset)
			}
			j = nil
			if len(f.jobs) < chunkWindow {
				j = w.more(len(f.jobs) == 0)
			}
		}
		if len(f.jobs) == 0 {
			if j != nil {
				w.q.putBack(j) // the connection broke
			}
			return
		}
		if err := c.flush(); err != nil {
			w.landAnswered(&f)
			continue
		}
		// The replies of the oldest, and of those behind it that came
		// with them; then top the window up.
		w.land(&f)
		for len(f.jobs) > 0 && !c.broken && c.text.R.Buffered() > 0 {
			w.land(&f)
		}
		if j == nil && !c.broken {
			j = w.more(len(f.jobs) == 0)
		}
	}
}

// more takes the next job: waiting for the rate limit when the connection
// has nothing in flight, and only when there is no rate limit otherwise.
func (w *sender) more(idle bool) *job {
	switch {
	case idle:
		return w.next()
	case w.s.limiter == nil:
		return w.pop()
	}
	return nil
}

// landAnswered settles the flight after a write failed. Part of it may
// have reached the server and been answered before the failure, the
// messages buffered before it spilled into the socket: a server can take
// the first message and say 421 to the next while its chunk is being
// written. What it answered is read and settled as answered, so that a
// message it took is not sent again; the first reply missing ends the
// connection and settles the rest as land does.
func (w *sender) landAnswered(f *flight) {
	for len(f.jobs) > 0 && !w.c.broken {
		w.land(f)
	}
	w.c.broken = true
}

// land reads the replies to the oldest message in flight and settles it;
// once the connection breaks, it settles every message still in flight.
func (w *sender) land(f *flight) {
	c := w.c
	j := f.jobs[0]
	c.rset = f.rset[0]
	c.heard = false
	if c.text.R.Buffered() == 0 { // about to wait for the server
		quickAck(c.raw)
	}
	err := w.bdatKnown(c.readReplies(j, 250))
	f.heard = f.heard || c.heard
	f.jobs, f.rset = f.jobs[1:], f.rset[1:]
	c.dirty = err != nil && len(f.jobs) == 0
	if w.settle(j, err, f.heard) {
		return
	}
	// The connection is gone. What the server answered 421 to, or never
	// answered anything on, it did not take: those go again; the rest
	// may have been taken and fail, to be retried later. A refusal that
	// broke the connection says nothing about them.
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 421 {
		err = errConn{fmt.Errorf("connection lost with the message unanswered: %w", err)}
	}
	for _, j := range f.jobs {
		w.settle(j, err, f.heard)
	}
	f.jobs, f.rset = f.jobs[:0], f.rset[:0]
	c.broken = true
}

// alone sends j, a message for several recipients, on its own: envelope
// first, chunk once every recipient is accepted. It returns the next job
// when the connection still works.
func (w *sender) alone(j *job) *job {
	c := w.c
	c.heard = false
	c.writeMailRcpt(j)
	err := c.flush()
	if err == nil {
		err = c.readReplies(j, 0)
	}
	if err == nil {
		c.writeChunk(j)
		if err = c.flush(); err == nil {
			c.arm()
			_, j.reply, err = c.text.ReadResponse(250)
			c.lastRefused = true
			err = w.bdatKnown(err)
		}
	}
	// A refused chunk leaves the server's transaction open: the next one
	// starts with RSET.
	c.dirty = err != nil
	return w.after(w.settle(j, err, c.heard))
}

// bdatKnown passes err on, unless it says the server took BDAT for an
// unknown command after accepting the envelope (500, 502 or 504): a
// relay that offers CHUNKING without knowing it, or a middlebox in the
// way. The server then reads the chunk as commands, so the connection is
// lost, and it took none of the message: the pool sends with DATA from
// now on, and the message goes again as if the server had said 421,
// never as a bounce that would count against the reader.
func (w *sender) bdatKnown(err error) error {
	var te *textproto.Error
	if err == nil || !w.c.lastRefused || !errors.As(err, &te) || te.Code != 500 && te.Code != 502 && te.Code != 504 {
		return err
	}
	w.s.noBDAT.Store(true)
	return &textproto.Error{Code: 421, Msg: fmt.Sprintf("the server answered BDAT with %d %s; sending with DATA", te.Code, te.Msg)}
}

// writeChunk buffers j's message as the last and only BDAT chunk.
func (c *smtpConn) writeChunk(j *job) {
	data := c.chunkData(j)
	var num [20]byte
	c.w.WriteString("BDAT ")
	c.w.Write(strconv.AppendInt(num[:0], int64(len(data)), 10))
	c.w.WriteString(" LAST\r\n")
	c.w.Write(data)
	c.ready = nil
}

// chunkData returns j's message with CRLF line ends only, ending with one
// unless it is empty: what DATA would have carried, less the dot-stuffing.
func (c *smtpConn) chunkData(j *job) []byte {
	data := j.data
	crlf := false
	if data == nil && j.body != nil {
		c.prepare(j)
		data, crlf = c.buf, c.crlf
	}
	if crlf || endsCRLF(data) {
		return data
	}
	c.norm = appendCRLF(c.norm[:0], data)
	return c.norm
}

// endsCRLF says whether every line of data ends with CRLF, the last one
// included.
func endsCRLF(data []byte) bool {
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\r\n")) {
		return false
	}
	for i := 0; ; {
		n := bytes.IndexByte(data[i:], '\n')
		if n < 0 {
			return true
		}
		i += n
		if i == 0 || data[i-1] != '\r' {
			return false
		}
		i++
	}
}

// appendCRLF appends data to dst with every bare LF made CRLF and an
// unended last line ended, as writeDotted does for DATA.
func appendCRLF(dst, data []byte) []byte {
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n')
		if n < 0 {
			dst = append(dst, bytes.TrimSuffix(data, []byte{'\r'})...)
			return append(dst, '\r', '\n')
		}
		line := bytes.TrimSuffix(data[:n], []byte{'\r'})
		dst = append(append(dst, line...), '\r', '\n')
		data = data[n+1:]
	}
	return dst
}
