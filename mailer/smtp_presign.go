package mailer

import (
	"fmt"
	"runtime"
	"sync"
)

// Signing a message with RSA costs about a millisecond of a core, a
// hundred times what sending it does, so with DKIM the cores, not the
// wire, bound a campaign. Left to the connections, each of them would sign
// its next message between network waits: eight goroutines taking turns
// on two cores, each switch a trip through the scheduler (and, in a
// virtual machine, the hypervisor). Instead, messages that are to be
// signed go through a stage of their own first: one goroutine per core
// signs them, in the order they came, a bounded distance ahead of the
// connections, which then only copy the signed bytes out.
//
// The stage holds at most presignAhead signed messages that no connection
// has taken yet, so its memory stays flat whatever the campaign's size.
// It hands them on a window (chunkWindow) at a time, and a window's worth
// wakes one connection, not one each: the window goes out in one write,
// the server reads it in one go and answers it in one packet, where
// messages handed on one by one would each wake a connection, and the
// server, on their own — a trip through the scheduler (in a virtual
// machine, through the hypervisor) for every message.

// presignAhead bounds the signed messages waiting for a connection: two
// full windows per connection.
func (s *SMTP) presignAhead() int { return 2 * s.cfg.Conns * chunkWindow }

// A presigner is the signing stage in front of an SMTP pool's stream.
type presigner struct {
	mu      sync.Mutex
	todo    []*job // to be signed, oldest first
	ready   []*job // signed, to be handed on with the next ones
	workers int
	room    chan struct{} // one token per signed message not yet taken
}

// signs reports whether m's message is signed as it is composed.
func (m *personalMessage) signs() bool { return m.cm.signer != nil }

// A signingComposer composes messages that are signed, which the stage
// signs ahead.
type signingComposer interface {
	Composer
	signs() bool
}

// presigned says whether j goes through the signing stage.
func presigned(j *job) bool {
	sc, ok := j.body.(signingComposer)
	return ok && j.data == nil && sc.signs()
}

// presign queues j for signing; it reaches the stream once signed.
func (s *SMTP) presign(j *job) {
	p := &s.signing
	p.mu.Lock()
	p.todo = append(p.todo, j)
	start := p.workers < runtime.GOMAXPROCS(0) && p.workers < len(p.todo)
	if start {
		p.workers++
	}
	p.mu.Unlock()
	if start {
		go s.signWork()
	}
}

// signWork signs queued jobs until none is left.
func (s *SMTP) signWork() {
	p := &s.signing
	for {
		p.mu.Lock()
		if len(p.todo) == 0 {
			// Whoever finds nothing left to sign hands on what is signed:
			// when the last jobs were dropped (their callers gave up),
			// no one signed last, and what was signed before them would
			// wait in ready for ever, reported to no one and holding its
			// room.
			group := p.ready
			p.ready = nil
			p.workers--
			p.mu.Unlock()
			if group != nil {
				s.enqueue(group...)
			}
			return
		}
		j := p.todo[0]
		p.todo[0] = nil
		p.todo = p.todo[1:]
		p.mu.Unlock()
		if j.ctx != nil && j.ctx.Err() != nil {
			// Its caller gave up while it waited: as the stream would.
			s.stream.finish(j, fmt.Errorf("smtp: not sent: %w", j.ctx.Err()))
			continue
		}
		var gaveUp <-chan struct{}
		if j.ctx != nil {
			gaveUp = j.ctx.Done()
		}
		select {
		case p.room <- struct{}{}: // waits while enough are signed ahead
		case <-gaveUp:
			s.stream.finish(j, fmt.Errorf("smtp: not sent: %w", j.ctx.Err()))
			continue
		}
		bp := signedBufs.Get().(*[]byte)
		j.signed = j.body.AppendTo((*bp)[:0])
		cc, ok := j.body.(crlfComposer)
		j.crlf = ok && cc.crlfOnly()
		j.taken = func() { <-p.room }
		// Hand on a window's worth, or what is signed when nothing is
		// left to sign: whoever signs last hands on the rest.
		p.mu.Lock()
		p.ready = append(p.ready, j)
		var group []*job
		if len(p.ready) >= chunkWindow || len(p.todo) == 0 {
			group, p.ready = p.ready, nil
		}
		p.mu.Unlock()
		if group != nil {
			s.enqueue(group...)
		}
	}
}

// takeSigned moves j's signed message into the connection's buffer and
// gives its buffer back; a job tried again later is signed anew.
func (c *smtpConn) takeSigned(j *job) {
	c.buf = append(c.buf[:0], j.signed...)
	c.crlf = j.crlf
	c.ready = j
	b := j.signed[:0]
	j.signed = nil
	signedBufs.Put(&b)
}

// signedBufs hold signed messages between the stage and a connection.
var signedBufs = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}
