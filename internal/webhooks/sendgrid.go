package webhooks

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
)

// The headers of SendGrid's signed event webhook.
const (
	SendGridSignatureHeader = "X-Twilio-Email-Event-Webhook-Signature"
	SendGridTimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp"
)

// SendGrid reads SendGrid's signed event webhook: a JSON array of events,
// signed with ECDSA P-256 over the timestamp header and the body.
type SendGrid struct {
	Key  *ecdsa.PublicKey
	VERP Resolver
	Now  func() time.Time
}

// NewSendGrid returns a SendGrid checking signatures with the
// verification key SendGrid shows for the webhook (base64 of its DER).
func NewSendGrid(key string, v Resolver) (*SendGrid, error) {
	bad := bulletin.Errorf(bulletin.EINVALID, "BULLETIN_WEBHOOK_SENDGRID_SECRET is the webhook's verification key as SendGrid shows it: base64 of an ECDSA P-256 public key.")
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(key))
	if err != nil {
		return nil, bad
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	ec, ok := pub.(*ecdsa.PublicKey)
	if err != nil || !ok {
		return nil, bad
	}
	return &SendGrid{Key: ec, VERP: v, Now: time.Now}, nil
}

// sendGridEvent is one event of the array.
type sendGridEvent struct {
	Email     string `json:"email"`
	Timestamp int64  `json:"timestamp"`
	Event     string `json:"event"`
	Type      string `json:"type"`
	Reason    string `json:"reason"`
	Status    string `json:"status"`
	EventID   string `json:"sg_event_id"`
	MessageID string `json:"sg_message_id"`
	SMTPID    string `json:"smtp-id"` // the message's Message-ID
}

// Events checks the signature in h and reads the events in body.
func (s *SendGrid) Events(_ context.Context, h http.Header, body []byte) ([]events.Event, error) {
	ts := h.Get(SendGridTimestampHeader)
	sig, err := base64.StdEncoding.DecodeString(h.Get(SendGridSignatureHeader))
	if err != nil || ts == "" || len(sig) == 0 {
		return nil, errSendGridSignature
	}
	sum := sha256.Sum256(append([]byte(ts), body...))
	if !ecdsa.VerifyASN1(s.Key, sum[:], sig) {
		return nil, errSendGridSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !fresh(sec, s.Now(), MaxAge) {
		return nil, errStale
	}
	var list []sendGridEvent
	if err := decode("SendGrid", "a JSON array of events", body, &list); err != nil {
		return nil, err
	}
	var out []events.Event
	for _, e := range list {
		kind, ok := sendGridKind(e)
		if !ok {
			continue
		}
		if e.Email == "" || e.EventID == "" {
			return nil, badShape("SendGrid", "each "+e.Event+" event has an email and an sg_event_id")
		}
		status := e.Status
		if !events.ValidStatus(status) {
			status = statusIn(e.Reason)
		}
		// SendGrid calls every bounce that is not a block a hard one, a
		// full mailbox (5.2.2) too: its status says which it is, as a
		// DSN's does, so that the reader is not lost for a mailbox that
		// empties tomorrow.
		if kind == events.BounceHard && e.Event == "bounce" && events.ValidStatus(status) {
			kind = events.KindOf(status)
		}
		// SendGrid rewrites the envelope sender: events name the delivery
		// by the Message-ID (smtp-id) or the reader by address.
		ev := newEvent(s.VERP, events.SourceSendGrid, kind, e.Email, "", e.SMTPID, e.EventID)
		ev.Status = status
		ev.Diagnostic = e.Reason
		// sg_message_id is the id of SendGrid's "250 Ok: queued as <id>",
		// a dot and SendGrid's own suffix.
		ev.RelayID, _, _ = strings.Cut(e.MessageID, ".")
		if e.Timestamp > 0 {
			ev.At = time.Unix(e.Timestamp, 0)
		}
		out = append(out, ev)
	}
	return out, nil
}

// sendGridKind is the kind of event e is, if it is one to record. A
// deferral is a retry still under way: its outcome comes as a bounce or
// a delivery, so it is not counted.
//
// A drop is SendGrid not sending at all, and its reason is one of a few
// fixed strings (SendGrid's glossary, "Drops", and its Event Webhook
// reference): "Bounced Address", "Spam Reporting Address",
// "Unsubscribed Address" and "Invalid" for an address on one of its
// suppression lists (bounces, spam reports, unsubscribes, invalid
// emails), "Spam Content" when its spam checker stopped the message,
// "Invalid SMTPAPI header" when the sender built that header wrong,
// "Recipient List over Package Quota" when the account ran out of sends,
// and a duplicate of an address in a Marketing Campaigns send. Only the
// first two and "Invalid" say anything about the address, so only they
// are events, and they are matched whole: the others are faults of the
// message or the account that hit every reader of a campaign alike, and
// counting them would bounce a whole audience for one badly built send.
// "Unsubscribed Address" is no bounce either: the reader left through
// SendGrid, and SendGrid will drop every mail to them, so they are
// unsubscribed as by its unsubscribe event (as Mailgun's
// suppress-unsubscribe is). A reason SendGrid adds later is no event
// until it is known.
//
// unsubscribe and group_unsubscribe are the reader following SendGrid's
// unsubscribe link, from all of the account's mail or from one of its
// unsubscribe groups: either way from this mail, so the reader is
// unsubscribed as by Bulletin's own link. A group_resubscribe is
// not taken: a reader joins through Bulletin's confirmed signup only.
func sendGridKind(e sendGridEvent) (events.Kind, bool) {
	switch e.Event {
	case "unsubscribe", "group_unsubscribe":
		return events.Unsubscribe, true
	case "bounce":
		if e.Type == "blocked" {
			return events.BounceSoft, true
		}
		return events.BounceHard, true
	case "spamreport":
		return events.Complaint, true
	case "dropped":
		switch e.Reason {
		case "Bounced Address", "Invalid":
			return events.BounceHard, true
		case "Spam Reporting Address":
			return events.Complaint, true
		case "Unsubscribed Address":
			return events.Unsubscribe, true
		}
	}
	return "", false
}
