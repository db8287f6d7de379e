package bounces

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/bulletinhq/bulletin/internal/events"
)

// Defaults of a Mailbox.
const (
	DefaultPollInterval = time.Minute
	// DefaultIMAPTimeout bounds the wait for each answer of the server.
	DefaultIMAPTimeout = time.Minute
)

// DoneKeyword flags a message that was read and recorded but could not be
// moved out of the folder: a flagged message is not read again.
const DoneKeyword imap.Flag = "$BulletinDone"

// A Mailbox polls an IMAP folder that bounces and complaints are
// delivered to, for publishers whose bounce domain's MX is elsewhere.
// Each message is read (at most MaxBytes; a larger one is moved unread),
// what it reports on a VERP address of this installation is recorded as
// an event of source imap, and mail that is no event is kept for the
// admin, as the SMTP intake does. Then the message is moved to the
// folder's subfolder Processed (created when missing); when that fails it
// is flagged \Seen and DoneKeyword instead, and flagged messages are
// skipped. A process that dies between recording and moving reads the
// message again on the next poll, which records nothing new: events are
// stored once.
type Mailbox struct {
	URL      MailboxURL
	VERP     *VERP
	Events   EventRecorder
	Unparsed UnparsedKeeper
	// MaxBytes bounds a message read (default DefaultMaxBytes).
	MaxBytes int64
	// Interval is the time between polls (default DefaultPollInterval).
	Interval time.Duration
	// Timeout bounds each exchange with the server (default
	// DefaultIMAPTimeout).
	Timeout time.Duration
	// TLSConfig is the client's TLS configuration (nil: the system's
	// roots, for the URL's host).
	TLSConfig *tls.Config
	// Log gets a line per poll that did something or failed
	// (slog.Default when nil). The URL is logged without its user name
	// and password.
	Log *slog.Logger

	verpRE *regexp.Regexp // a VERP address of VERP's domain
}

// PollStats is what one poll did.
type PollStats struct {
	Seen     int // messages read (or, too large, not)
	Events   int // bounces and complaints recorded (again, if seen before)
	Kept     int // messages that were no event, kept for the admin
	TooLarge int // messages over MaxBytes, moved unread
	Moved    int // messages moved to Processed
	Flagged  int // messages flagged DoneKeyword instead
	Skipped  int // messages flagged DoneKeyword before
}

// Run polls at once and then every Interval until ctx ends.
func (m *Mailbox) Run(ctx context.Context) {
	m.defaults()
	t := time.NewTicker(m.Interval)
	defer t.Stop()
	for {
		m.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick polls once and logs what it did or why it failed.
func (m *Mailbox) Tick(ctx context.Context) {
	m.defaults()
	st, err := m.Poll(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
	case err != nil:
		m.Log.Error("bounce mailbox (BULLETIN_BOUNCE_MAILBOX): poll failed", "mailbox", m.URL.String(), "err", err)
	case st != PollStats{}:
		m.Log.Info("bounce mailbox polled", "mailbox", m.URL.String(), "read", st.Seen, "events", st.Events,
			"kept", st.Kept, "too_large", st.TooLarge, "moved", st.Moved, "flagged", st.Flagged, "skipped", st.Skipped)
	}
}

func (m *Mailbox) defaults() {
	if m.MaxBytes <= 0 {
		m.MaxBytes = DefaultMaxBytes
	}
	if m.Interval <= 0 {
		m.Interval = DefaultPollInterval
	}
	if m.Timeout <= 0 {
		m.Timeout = DefaultIMAPTimeout
	}
	if m.Log == nil {
		m.Log = slog.Default()
	}
	if m.VERP != nil && m.verpRE == nil {
		m.verpRE = regexp.MustCompile(`(?i)` + regexp.QuoteMeta(localPrefix) + `[a-z2-7]+@` + regexp.QuoteMeta(m.VERP.Domain()))
	}
}

// imapConn is a logged-in client and the connection under it, whose
// deadline each exchange moves on.
type imapConn struct {
	*imapclient.Client
	raw     net.Conn
	timeout time.Duration
}

// alive gives the server another Timeout to answer.
func (c *imapConn) alive() { c.raw.SetDeadline(time.Now().Add(c.timeout)) }

// Poll reads every message in the folder once (see Mailbox).
func (m *Mailbox) Poll(ctx context.Context) (PollStats, error) {
	m.defaults()
	var st PollStats
	c, err := m.dial(ctx)
	if err != nil {
		return st, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.raw.Close() })
	defer stop()
	defer func() {
		c.alive()
		c.Logout().Wait()
	}()

	sel, err := c.Select(m.URL.Folder, nil).Wait()
	if err != nil {
		return st, fmt.Errorf("open folder %q: %w", m.URL.Folder, err)
	}
	if sel.NumMessages == 0 {
		return st, nil
	}
	c.alive()
	list, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true, RFC822Size: true}).Collect()
	if err != nil {
		return st, fmt.Errorf("list messages: %w", err)
	}
	processed, moveErr := "", error(nil)
	for _, msg := range list {
		if slices.ContainsFunc(msg.Flags, func(f imap.Flag) bool { return strings.EqualFold(string(f), string(DoneKeyword)) }) {
			st.Skipped++
			continue
		}
		if processed == "" && moveErr == nil {
			processed, moveErr = m.processedFolder(c)
			if moveErr != nil {
				m.Log.Warn("bounce mailbox: cannot make the folder for processed mail; flagging messages instead",
					"mailbox", m.URL.String(), "err", moveErr)
			}
		}
		st.Seen++
		if err := m.read(ctx, c, msg, &st); err != nil {
			return st, err
		}
		if err := m.done(c, msg.UID, processed, moveErr, &st); err != nil {
			return st, err
		}
	}
	return st, ctx.Err()
}

// dial connects and logs in.
func (m *Mailbox) dial(ctx context.Context) (*imapConn, error) {
	host, _, _ := net.SplitHostPort(m.URL.Addr)
	d := net.Dialer{Timeout: m.Timeout}
	raw, err := d.DialContext(ctx, "tcp", m.URL.Addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", m.URL, err)
	}
	c := &imapConn{raw: raw, timeout: m.Timeout}
	c.alive()
	cfg := &tls.Config{}
	if m.TLSConfig != nil {
		cfg = m.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	opts := &imapclient.Options{TLSConfig: cfg}
	switch {
	case m.URL.TLS:
		cfg.NextProtos = []string{"imap"}
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, fmt.Errorf("connect to %s: TLS: %w", m.URL, err)
		}
		c.Client = imapclient.New(tc, opts)
	case m.URL.loopback():
		c.Client = imapclient.New(raw, opts)
	default:
		if c.Client, err = imapclient.NewStartTLS(raw, opts); err != nil {
			return nil, fmt.Errorf("connect to %s: STARTTLS (required for imap:// to another host; or use imaps://): %w", m.URL, err)
		}
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("connect to %s: %w", m.URL, err)
	}
	if err := c.Login(m.URL.User, m.URL.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in to %s: %w (check the user name and password)", m.URL, err)
	}
	return c, nil
}

// processedFolder returns the folder's subfolder Processed, made when
// missing.
func (m *Mailbox) processedFolder(c *imapConn) (string, error) {
	c.alive()
	delim := "/"
	if l, err := c.List("", m.URL.Folder, nil).Collect(); err == nil && len(l) > 0 && l[0].Delim != 0 {
		delim = string(l[0].Delim)
	}
	name := m.URL.Folder + delim + "Processed"
	l, err := c.List("", name, nil).Collect()
	if err != nil {
		return name, fmt.Errorf("look for folder %q: %w", name, err)
	}
	if len(l) == 0 {
		if err := c.Create(name, nil).Wait(); err != nil {
			return name, fmt.Errorf("create folder %q: %w", name, err)
		}
		m.Log.Info("bounce mailbox: created the folder for processed mail", "mailbox", m.URL.String(), "folder", name)
	}
	return name, nil
}

// read reads one message and records or keeps what it reports.
func (m *Mailbox) read(ctx context.Context, c *imapConn, msg *imapclient.FetchMessageBuffer, st *PollStats) error {
	if msg.RFC822Size > m.MaxBytes {
		st.TooLarge++
		m.Log.Warn("bounce mailbox: message too large, moved unread", "mailbox", m.URL.String(),
			"uid", msg.UID, "size", msg.RFC822Size, "limit", m.MaxBytes)
		return nil
	}
	c.alive()
	raw, err := fetchBody(c, msg.UID, m.MaxBytes)
	if err != nil {
		return fmt.Errorf("read message %d: %w", msg.UID, err)
	}
	if int64(len(raw)) > m.MaxBytes {
		st.TooLarge++
		m.Log.Warn("bounce mailbox: message too large, moved unread", "mailbox", m.URL.String(),
			"uid", msg.UID, "size", len(raw), "limit", m.MaxBytes)
		return nil
	}
	in := m.inbound(raw)
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := in.take(rctx, m.Events, m.Unparsed)
	if err != nil {
		return fmt.Errorf("record message %d: %w", msg.UID, err)
	}
	if rep.Kind == "" {
		st.Kept++
	} else {
		st.Events++
	}
	return nil
}

// fetchBody returns the message uid, at most limit+1 bytes of it.
func fetchBody(c *imapConn, uid imap.UID, limit int64) ([]byte, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	var raw []byte
	found := false
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			if body, ok := item.(imapclient.FetchItemDataBodySection); ok && body.Literal != nil && !found {
				b, err := io.ReadAll(io.LimitReader(body.Literal, limit+1))
				if err != nil {
					return nil, err
				}
				raw, found = b, true
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	if !found {
		return nil, errors.New("the server sent no body (the message may have been deleted meanwhile)")
	}
	return raw, nil
}

// done moves the message uid to processed or, when that fails, flags it.
// It fails only when neither works and the connection is gone.
func (m *Mailbox) done(c *imapConn, uid imap.UID, processed string, moveErr error, st *PollStats) error {
	c.alive()
	if moveErr == nil {
		if moveErr = move(c, uid, processed); moveErr == nil {
			st.Moved++
			return nil
		}
	}
	c.alive()
	err := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
		Flags: []imap.Flag{imap.FlagSeen, DoneKeyword}}, nil).Close()
	if err == nil {
		st.Flagged++
		m.Log.Warn("bounce mailbox: cannot move a message; flagged it "+string(DoneKeyword)+" instead", "mailbox", m.URL.String(),
			"uid", uid, "err", moveErr)
		return nil
	}
	m.Log.Error("bounce mailbox: cannot move or flag a message; it is read again next time (its events are stored once)",
		"mailbox", m.URL.String(), "uid", uid, "move_err", moveErr, "flag_err", err)
	select {
	case <-c.Closed():
		return fmt.Errorf("connection lost: %w", err)
	default:
		return nil
	}
}

// move moves the message uid to folder: with MOVE when the server has
// it, else COPY, then (only once the copy is made) \Deleted and EXPUNGE.
func move(c *imapConn, uid imap.UID, folder string) error {
	set := imap.UIDSetNum(uid)
	if c.Caps().Has(imap.CapMove) {
		_, err := c.Move(set, folder).Wait()
		return err
	}
	// Not imapclient's own fallback, which sends \Deleted and EXPUNGE
	// without waiting for the copy: a failed copy would lose the mail.
	if _, err := c.Copy(set, folder).Wait(); err != nil {
		return err
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	if c.Caps().Has(imap.CapUIDPlus) {
		return c.UIDExpunge(set).Close()
	}
	return c.Expunge().Close()
}

// verpHeaders are the headers that name the address a mail was delivered
// to, most precise first.
var verpHeaders = []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To", "Cc"}

// inbound makes what the intake's session knows from the SMTP envelope
// out of a message in the mailbox: the VERP address it came to, from the
// headers the MX wrote or, for a report sent to another address (a
// feedback loop's), from the report's own fields or returned message,
// else the returned message's Message-ID. Only an address that
// VERP.Parse accepts, or a Message-ID VERP.ParseMessageID does, is
// trusted.
func (m *Mailbox) inbound(raw []byte) inbound {
	in := inbound{raw: raw, source: events.SourceIMAP}
	var cands []string
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		in.from = strings.Trim(strings.TrimSpace(msg.Header.Get("Return-Path")), "<>")
		if in.from == "" {
			in.from = msg.Header.Get("From")
		}
		for _, h := range verpHeaders {
			for _, v := range msg.Header[h] {
				if as, err := mail.ParseAddressList(v); err == nil {
					for _, a := range as {
						cands = append(cands, a.Address)
					}
				} else {
					cands = append(cands, strings.Trim(strings.TrimSpace(v), "<>"))
				}
			}
		}
	}
	if m.VERP != nil {
		for _, b := range m.verpRE.FindAll(raw, 20) {
			cands = append(cands, string(b))
		}
		for _, a := range cands {
			if d, err := m.VERP.Parse(a); err == nil {
				in.rcpt, in.delivery = a, d
				return in
			}
		}
		// A report's returned message or headers may be base64 (MIME
		// allows it for a text/rfc822-headers part), where the search
		// above does not see the VERP address. Parse decodes them, and
		// the Message-ID it finds there carries the delivery's VERP token
		// (see ParseMessageID), checked under the same MAC: a Message-ID
		// made up by whoever sent the report names no delivery.
		if id := Parse(raw).OriginalID; id != "" {
			if d, err := m.VERP.ParseMessageID(id); err == nil {
				in.rcpt, in.delivery = m.VERP.AddressOf(d), d
				return in
			}
		}
	}
	if len(cands) > 0 {
		in.rcpt = cands[0]
	}
	in.noVERP = true
	return in
}
