package bounces

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/time/rate"

	"github.com/bulletinhq/bulletin/internal/events"
)

// An EventRecorder records events and returns once they are committed;
// *events.Batcher is one.
type EventRecorder interface {
	Add(ctx context.Context, evs ...events.Event) error
}

// An UnparsedKeeper keeps mail that was no event; *events.Store is one.
type UnparsedKeeper interface {
	Keep(ctx context.Context, u events.Unparsed) error
}

var (
	_ EventRecorder  = (*events.Batcher)(nil)
	_ UnparsedKeeper = (*events.Store)(nil)
)

// Defaults of an Intake.
const (
	DefaultMaxBytes = 1 << 20 // a DSN returns the message, and Bulletin's are small
	DefaultRate     = 20      // messages a second per peer, sustained
	DefaultBurst    = 200     // messages per peer at once: a relay's backlog
)

// An Intake is the SMTP server that takes bounces and complaints mailed
// back to VERP addresses. It accepts mail only for valid VERP addresses
// of its bounce domain (anything else is 550 at RCPT: it relays nothing),
// at most MaxBytes a message and Rate a second per peer, reads each
// message (Parse) and records what it reports before it answers 250, so a
// message acknowledged is never lost; a failure to record is a 451 and
// the sender tries again. Mail that is no event is kept for the admin.
type Intake struct {
	VERP     *VERP
	Events   EventRecorder
	Unparsed UnparsedKeeper
	// Hostname is the name in the greeting (default the bounce domain).
	Hostname string
	// MaxBytes bounds a message (default DefaultMaxBytes).
	MaxBytes int64
	// Rate and Burst bound the messages of one peer (defaults
	// DefaultRate, DefaultBurst); rate.Inf for none.
	Rate  rate.Limit
	Burst int
	// Log gets a line per message not taken (slog.Default when nil).
	Log *slog.Logger

	once   sync.Once
	srv    *smtp.Server
	limits *peerLimiter
	mu     sync.Mutex
	closed bool
	lns    []net.Listener
}

// Serve answers SMTP on ln until Close.
func (in *Intake) Serve(ln net.Listener) error {
	in.once.Do(in.init)
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return ln.Close()
	}
	in.lns = append(in.lns, ln)
	in.mu.Unlock()
	err := in.srv.Serve(ln)
	if in.isClosed() {
		return nil
	}
	return err
}

func (in *Intake) isClosed() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.closed
}

// Close stops the server at once, closing its connections: a message
// not yet answered 250 is sent again by its sender, and counts once.
func (in *Intake) Close() error {
	in.once.Do(in.init)
	in.mu.Lock()
	in.closed = true
	for _, ln := range in.lns {
		ln.Close() // in case Serve has not handed it to the server yet
	}
	in.mu.Unlock()
	in.srv.Close() // errors only on listeners closed just above, or a second Close
	return nil
}

func (in *Intake) init() {
	if in.MaxBytes <= 0 {
		in.MaxBytes = DefaultMaxBytes
	}
	if in.Rate == 0 {
		in.Rate = DefaultRate
	}
	if in.Burst <= 0 {
		in.Burst = DefaultBurst
	}
	if in.Log == nil {
		in.Log = slog.Default()
	}
	in.limits = newPeerLimiter(in.Rate, in.Burst)
	s := smtp.NewServer(smtp.BackendFunc(in.newSession))
	s.Domain = in.Hostname
	if s.Domain == "" {
		s.Domain = in.VERP.Domain()
	}
	s.MaxMessageBytes = in.MaxBytes
	s.MaxRecipients = 1 // a bounce is for one VERP address; a second waits for its own transaction (452)
	s.ReadTimeout = time.Minute
	s.WriteTimeout = time.Minute
	s.ErrorLog = log.New(slogWriter{in.Log}, "", 0)
	in.srv = s
}

func (in *Intake) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{in: in, peer: c.Conn().RemoteAddr()}, nil
}

// session is one SMTP connection's state.
type session struct {
	in       *Intake
	peer     net.Addr
	from     string
	rcpt     string
	delivery Delivery
}

var (
	errNoSuchRcpt = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such recipient here: this server takes only bounces to its own addresses"}
	errTooFast = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1},
		Message: "Too many messages from your address; try again later"}
	errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Cannot store the message now; try again later"}
)

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.in.limits.allow(s.peer, time.Now()) {
		return errTooFast
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	d, err := s.in.VERP.Parse(to)
	if err != nil {
		return errNoSuchRcpt
	}
	s.rcpt, s.delivery = to, d
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // too large (552), or the connection broke
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := inbound{raw: raw, from: s.from, rcpt: s.rcpt, delivery: s.delivery}
	if rep, err := m.take(ctx, s.in.Events, s.in.Unparsed); err != nil {
		if rep.Kind == "" {
			s.in.Log.Error("bounce intake: keep unparsed mail", "err", err)
		} else {
			s.in.Log.Error("bounce intake: record event", "campaign", s.delivery.CampaignID,
				"subscriber", s.delivery.SubscriberID, "err", err)
		}
		return errTryLater
	}
	return nil
}

// An inbound is one mail sent back to a VERP address, however it came
// (the SMTP intake, the bounce mailbox).
type inbound struct {
	raw        []byte
	from, rcpt string
	delivery   Delivery
	// source, when set, is the event's source instead of the report's.
	source events.Source
	// noVERP is set when no VERP address of this installation was found
	// (the bounce mailbox): a report then names no reader Bulletin trusts.
	noVERP bool
}

// take parses m and records the event it reports, or keeps it for the
// admin when it reports none (or one about no reader). It returns the
// report, whose empty Kind tells which of the two it did, and the error
// of doing it.
func (m inbound) take(ctx context.Context, evs EventRecorder, un UnparsedKeeper) (Report, error) {
	rep := Parse(m.raw)
	switch {
	case rep.Kind != "" && m.noVERP:
		rep.Kind, rep.Reason = "", "a "+string(rep.Kind)+" to no VERP address of this installation: whose it is is unknown"
	case rep.Kind != "" && m.delivery.SubscriberID == 0:
		// A test send's address names no reader: nothing to apply it to.
		rep.Kind, rep.Reason = "", "a "+string(rep.Kind)+" about a mail to no reader (a test send)"
	}
	if rep.Kind == "" {
		return rep, un.Keep(ctx, events.Unparsed{Reason: rep.Reason, MailFrom: m.from, Rcpt: m.rcpt,
			Subject: rep.Subject, Size: len(m.raw), Head: string(m.raw)})
	}
	return rep, evs.Add(ctx, m.event(rep))
}

// event is the event rep reports on m's delivery. A campaign's delivery
// bounces once (events.DeliveryKey); mail to a reader outside a campaign
// (a confirmation, a welcome) is told apart by the report itself, so
// that the same report sent twice is one event.
func (m inbound) event(rep Report) events.Event {
	ev := events.Event{Kind: rep.Kind, Source: rep.Source, Status: rep.Status, Diagnostic: rep.Diagnostic,
		CampaignID: m.delivery.CampaignID, SubscriberID: m.delivery.SubscriberID, Email: rep.Recipient}
	if m.source != "" {
		ev.Source = m.source
	}
	if ev.CampaignID == 0 || ev.SubscriberID == 0 {
		id := rep.MessageID
		if id == "" {
			sum := sha256.Sum256(m.raw)
			id = hex.EncodeToString(sum[:])
		}
		sum := sha256.Sum256([]byte(fmt.Sprint(ev.SubscriberID, "\x00", ev.Kind, "\x00", id)))
		ev.Key = "m:" + hex.EncodeToString(sum[:16])
	}
	return ev
}

func (s *session) Reset() { s.from, s.rcpt, s.delivery = "", "", Delivery{} }

func (s *session) Logout() error { return nil }

// slogWriter turns the SMTP server's log lines into warnings.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.log.Warn("bounce intake", "msg", string(p))
	return len(p), nil
}
