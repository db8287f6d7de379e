// Package events is the one pipeline for feedback from the receiving
// side: every bounce and complaint, whatever brought it (the SMTP reply at
// send time, a DSN or ARF report mailed back, a provider's webhook), and
// every unsubscribe a provider reports, becomes one row in the events
// table, and the rules that follow from it (a reader bounced,
// unsubscribed, an address suppressed) are applied in the same
// transaction. It also keeps the suppression list and the mail
// that came back but was no event (see Unparsed).
package events

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A Kind is what happened.
type Kind string

// The kinds of event.
const (
	// BounceHard is a permanent failure: the address does not take mail.
	BounceHard Kind = "bounce_hard"
	// BounceSoft is a failure that may pass: a full mailbox, a policy
	// block; SoftBounces of them within SoftWindow count as a hard one.
	BounceSoft Kind = "bounce_soft"
	// Complaint is a reader marking the mail as spam.
	Complaint Kind = "complaint"
	// Unsubscribe is a reader leaving through the provider rather than
	// Bulletin's own link: its unsubscribe link, or its list of addresses
	// that did (a message dropped unsent for it). The reader leaves every
	// list, as with the one-click unsubscribe. It is no bounce and no
	// complaint: it is stored, for the reader's page, but counts in no
	// rate and no report, and suppresses no address.
	Unsubscribe Kind = "unsubscribe"
)

// A Source is what told Bulletin of an event.
type Source string

// The sources of events.
const (
	SourceSMTP     Source = "smtp" // the relay's reply at send time
	SourceDSN      Source = "dsn"  // an RFC 3464 delivery status notification
	SourceARF      Source = "arf"  // an RFC 5965 feedback report
	SourceNDR      Source = "ndr"  // a bounce in an MTA's own words, not a DSN
	SourceIMAP     Source = "imap"
	SourceSES      Source = "ses"
	SourcePostmark Source = "postmark"
	SourceSendGrid Source = "sendgrid"
	SourceMailgun  Source = "mailgun"
)

// Rules for soft bounces: SoftBounces of them within SoftWindow make the
// reader bounced.
const (
	SoftBounces = 3
	SoftWindow  = 30 * 24 * time.Hour
)

// An Event is one bounce, complaint or unsubscribe on its way into the
// table.
type Event struct {
	Kind   Kind
	Source Source
	// Status is the enhanced status code (RFC 3463), like 5.1.1, when
	// the source gave one; Diagnostic the receiving side's own words.
	Status     string
	Diagnostic string
	// CampaignID and SubscriberID name the delivery when both are set
	// (from a VERP address); SubscriberID alone a reader; otherwise Email
	// is looked up.
	CampaignID   int64
	SubscriberID int64
	Email        string
	// RelayID is the provider's id of the message (Amazon SES's
	// mail.messageId, the start of SendGrid's sg_message_id, Postmark's
	// MessageID), which names
	// the delivery whose relay reply gave that id (mailer.RelayID) when
	// no VERP address did: the event is then that delivery's, under its
	// DeliveryKey, whatever address it reports.
	RelayID string
	// NoReader says the event is about mail that went to no reader: a
	// test send, as its VERP address or Message-ID tells. Its address is
	// not looked up, and it changes no reader and suppresses nothing, as
	// a test send's DSN does not (bounces keeps that for the admin).
	NoReader bool
	// Key makes the event unique: the same key twice is stored once.
	// Empty, it is the delivery's (one bounce and one complaint per
	// delivery), which then must be known; see DeliveryKey. An
	// Unsubscribe keeps the key it is given, its delivery known or not:
	// a reader may leave through the same mail's link again after joining
	// again, and only a retry of the same report is the same event.
	Key string
	// At is when it happened; zero is now.
	At time.Time
}

// DeliveryKey is the dedupe key of an event of kind on the delivery of
// campaign cid to subscriber sid: a delivery bounces once, whether the
// relay refused it at send time or a DSN said so later, or both. An
// unsubscribe given no key of its own is the delivery's too, apart from
// its bounce and its complaint.
func DeliveryKey(kind Kind, cid, sid int64) string {
	class := "bounce"
	switch kind {
	case Complaint:
		class = "complaint"
	case Unsubscribe:
		class = "unsubscribe"
	}
	return "d:" + itoa(cid) + ":" + itoa(sid) + ":" + class
}

// A GoneRecorder is told, once committed, of readers an event made
// unable to get mail (subscribers.GoneRecorder is one).
type GoneRecorder interface {
	RecordGone(ctx context.Context, ids ...int64)
}

// A Store records events on the database.
type Store struct {
	db      *sqlite.DB
	gone    GoneRecorder
	metrics *Metrics
	now     func() time.Time
}

// NewStore returns a Store on db.
func NewStore(db *sqlite.DB) *Store { return &Store{db: db, now: sqlite.Now} }

// SetGoneRecorder sets what is told of readers who can no longer get mail.
func (s *Store) SetGoneRecorder(g GoneRecorder) { s.gone = g }

// statusRE is an enhanced status code: class, subject, detail.
var statusRE = regexp.MustCompile(`^[245]\.[0-9]{1,3}\.[0-9]{1,3}$`)

// ValidStatus reports whether s is an enhanced status code.
func ValidStatus(s string) bool { return statusRE.MatchString(s) }

// KindOf returns the kind of bounce an enhanced status code stands for:
// 5.x.x is hard, except where the failure is the message's or the
// mailbox's for now rather than the address's (a full mailbox, 5.2.2; a
// message too big, 5.3.4; a policy or spam block, 5.7.x): those, and
// 4.x.x, are soft, so that one campaign blocked by a provider does not
// bounce every reader there at once. Anything else is soft.
func KindOf(status string) Kind {
	if !ValidStatus(status) || status[0] != '5' {
		return BounceSoft
	}
	switch {
	case status == "5.2.2", status == "5.3.4", strings.HasPrefix(status, "5.7."):
		return BounceSoft
	}
	return BounceHard
}

// clip cuts s, made valid UTF-8 and one line, to at most n bytes on a
// rune boundary.
func clip(s string, n int) string {
	return cut(strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " "), n)
}

// cut cuts s, valid UTF-8, to at most n bytes on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
