package smtptest

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/emersion/go-smtp"
)

// Faults says how the server misbehaves. The zero value is a well-behaved
// server. Rates are fractions from 0 (never) to 1 (always).
type Faults struct {
	// TempFailRate is the fraction of RCPT TO commands answered 451.
	TempFailRate float64
	// TempFailTo, when set, has RCPT TO any address it holds (as
	// given, compared ignoring case) answered 451 4.3.0 every time, as
	// a relay answers the few readers whose mailbox host is away.
	TempFailTo []string
	// RejectDomain, when set, has RCPT TO any address at that domain
	// answered 550.
	RejectDomain string
	// TempFailDomain, when set, has RCPT TO any address at that domain
	// answered 451 4.3.0, every time, while the others are taken: a
	// relay deferring some mailboxes alone.
	TempFailDomain string
	// DropDataRate is the fraction of messages during whose DATA the server
	// closes the connection without a reply.
	DropDataRate float64
	// RejectRcpt, when set, answers every RCPT TO with it, as a relay
	// that will not relay for the client does ("554 5.7.1 Relay access
	// denied").
	RejectRcpt *smtp.SMTPError
	// RejectData, when set, answers the end of every message's data with
	// it (the data read, nothing recorded), as a relay refusing the
	// message itself does: a quota used up, a policy block. Its
	// EnhancedCode may be smtp.NoEnhancedCode, as some relays send none.
	RejectData *smtp.SMTPError
	// ByeAfter, when > 0, has the server answer the MAIL FROM that follows
	// that many accepted messages on one connection with 421 and close it.
	ByeAfter int
	// Stall makes MAIL FROM wait, without a reply, for as long as it is set.
	Stall bool
	// NestedMail has MAIL FROM answered 503 while the transaction before
	// it is still open, as Postfix does: after a refused RCPT TO the MAIL
	// FROM stands until RSET or a message is taken, which go-smtp alone
	// would let the next MAIL FROM replace.
	NestedMail bool
	// Seed 0 decides each rate-based fault by a hash of the address and of
	// the attempt number for it (the nth RCPT TO for that address), so that
	// runs are reproducible and a retry gets a fresh draw. Any other Seed
	// draws from a random source seeded with it instead.
	Seed uint64
}

// SetFaults changes how the server misbehaves from the next command on.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rng = nil
	if f.Seed != 0 {
		s.rng = rand.New(rand.NewPCG(f.Seed, f.Seed))
	}
	s.faults.Store(&f)
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return *s.faults.Load() }

// hit draws whether a fault of the given kind strikes key, an address.
func (s *Server) hit(kind, key string, rate float64) bool {
	if rate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := kind + "\x00" + key
	n := s.attempts[k]
	s.attempts[k] = n + 1
	if s.rng != nil {
		return s.rng.Float64() < rate
	}
	h := fnv.New64a()
	h.Write([]byte(k))
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(n)))
	return float64(h.Sum64()>>11)/(1<<53) < rate
}

// stall waits while Faults.Stall is set and the server runs.
func (s *Server) stall() {
	if !s.Faults().Stall {
		return
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for s.Faults().Stall {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
	}
}
