package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
)

// Mailgun reads Mailgun's webhooks: a JSON object whose signature is an
// HMAC-SHA256, under the account's webhook signing key, of its timestamp
// and token. The signature does not cover the event, so a token is taken
// once (Tokens): the same token with another body is refused.
type Mailgun struct {
	Key    []byte
	VERP   Resolver
	Now    func() time.Time
	Tokens *Tokens
}

// NewMailgun returns a Mailgun checking signatures with signingKey and
// keeping the tokens it takes in tokens.
func NewMailgun(signingKey string, v Resolver, tokens *Tokens) *Mailgun {
	return &Mailgun{Key: []byte(signingKey), VERP: v, Now: time.Now, Tokens: tokens}
}

// mailgunBody is one webhook request.
type mailgunBody struct {
	Signature struct {
		Timestamp string `json:"timestamp"`
		Token     string `json:"token"`
		Signature string `json:"signature"`
	} `json:"signature"`
	EventData *struct {
		Event     string  `json:"event"`
		ID        string  `json:"id"`
		Timestamp float64 `json:"timestamp"`
		Severity  string  `json:"severity"`
		Reason    string  `json:"reason"`
		Recipient string  `json:"recipient"`
		Envelope  struct {
			Sender string `json:"sender"`
		} `json:"envelope"`
		Message struct {
			Headers struct {
				MessageID string `json:"message-id"`
			} `json:"headers"`
		} `json:"message"`
		DeliveryStatus struct {
			Code         int    `json:"code"`
			EnhancedCode string `json:"enhanced-code"`
			Message      string `json:"message"`
			Description  string `json:"description"`
		} `json:"delivery-status"`
	} `json:"event-data"`
}

// Events checks the signature in body and reads its event.
func (m *Mailgun) Events(ctx context.Context, _ http.Header, body []byte) ([]events.Event, error) {
	var b mailgunBody
	if err := decode("Mailgun", "a JSON object with signature and event-data", body, &b); err != nil {
		return nil, err
	}
	sig := b.Signature
	got, err := hex.DecodeString(sig.Signature)
	mac := hmac.New(sha256.New, m.Key)
	mac.Write([]byte(sig.Timestamp + sig.Token))
	if err != nil || sig.Token == "" || !hmac.Equal(got, mac.Sum(nil)) {
		return nil, errMailgunSignature
	}
	sec, err := strconv.ParseInt(sig.Timestamp, 10, 64)
	if err != nil || !fresh(sec, m.Now(), MailgunMaxAge) {
		return nil, errMailgunStale
	}
	// Every token is kept, a delivery's too: its signature is as good
	// as a complaint's.
	if ok, err := m.Tokens.Take(ctx, "mailgun", sig.Token, body, time.Unix(sec, 0).Add(MailgunMaxAge)); err != nil {
		return nil, err
	} else if !ok {
		return nil, errReplay
	}
	ed := b.EventData
	if ed == nil || ed.Event == "" {
		return nil, badShape("Mailgun", "event-data with an event")
	}
	status := ed.DeliveryStatus.EnhancedCode
	if !events.ValidStatus(status) {
		status = statusIn(ed.DeliveryStatus.Message)
	}
	var kind events.Kind
	ok := true
	switch ed.Event {
	case "complained":
		kind = events.Complaint
	case "unsubscribed":
		// The reader followed Mailgun's unsubscribe link.
		kind = events.Unsubscribe
	case "failed":
		kind, ok = mailgunFailure(ed.Severity, ed.Reason, ed.DeliveryStatus.Code, status)
	default:
		return nil, nil // deliveries, opens, clicks
	}
	if !ok {
		return nil, nil // a deferral
	}
	if ed.Recipient == "" || ed.ID == "" {
		return nil, badShape("Mailgun", "a "+ed.Event+" event has an id and a recipient")
	}
	// Mailgun gives each try of a message its own event id: the event is
	// keyed by the message, so that the reports of one (the last try of a
	// temporary failure, and the permanent failure that follows it) are
	// one event of each kind. A click on its unsubscribe link is no try:
	// each is the reader's own, and a retry of its webhook has its id.
	key := ed.ID
	if id := ed.Message.Headers.MessageID; id != "" && ed.Event != "unsubscribed" {
		key = "message:" + id
	}
	ev := newEvent(m.VERP, events.SourceMailgun, kind, ed.Recipient, ed.Envelope.Sender, ed.Message.Headers.MessageID, key)
	ev.Status = status
	ev.Diagnostic = ed.DeliveryStatus.Message
	if ev.Diagnostic == "" {
		ev.Diagnostic = ed.DeliveryStatus.Description
	}
	if ed.Timestamp > 0 && ed.Timestamp < math.MaxInt32*2 {
		sec, frac := math.Modf(ed.Timestamp)
		ev.At = time.Unix(int64(sec), int64(frac*1e9))
	}
	return []events.Event{ev}, nil
}

// mailgunFailure returns the kind of a failed event whose delivery status
// has the basic code and, when it gives one, the enhanced status code
// status, and false for one that is no event.
//
//   - A temporary failure is a deferral: Mailgun tries the message again,
//     with an event each time, and reports a permanent failure when it
//     gives up. Taken as soft bounces, three tries of one message would
//     bounce the reader.
//   - Reason "old" is Mailgun giving up on a message it retried for 8
//     hours ("Too old"): every try failed for now, so it is a soft
//     bounce, of whichever severity Mailgun reports it.
//   - suppress-bounce, suppress-complaint and suppress-unsubscribe are
//     messages Mailgun dropped unsent because the address is on one of
//     its lists: its bounce list holds only hard bounces (a mailbox that
//     does not exist, never a full one), an address on its complaint list
//     complained, and one on its unsubscribe list left through Mailgun's
//     link. That last reader is unsubscribed, as by Bulletin's own link:
//     the address takes mail, so it is no bounce, and leaving is no
//     complaint.
//   - Any other permanent failure is hard unless its status says
//     otherwise, as a DSN's does: Mailgun calls a full mailbox (5.2.2) or
//     a policy block (5.7.x) permanent when the server answered 5xx, and a
//     4xx answer with no enhanced code is a refusal for now all the same.
func mailgunFailure(severity, reason string, code int, status string) (events.Kind, bool) {
	switch {
	case reason == "old":
		return events.BounceSoft, true
	case severity != "permanent":
		return "", false
	case reason == "suppress-complaint":
		return events.Complaint, true
	case reason == "suppress-bounce":
		return events.BounceHard, true
	case reason == "suppress-unsubscribe":
		return events.Unsubscribe, true
	case events.ValidStatus(status):
		return events.KindOf(status), true
	case code >= 400 && code < 500:
		return events.BounceSoft, true
	}
	return events.BounceHard, true
}
