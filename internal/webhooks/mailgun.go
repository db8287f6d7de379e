package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, badShape("Mailgun", "a JSON object with signature and event-data")
	}
	sig := b.Signature
	got, err := hex.DecodeString(sig.Signature)
	mac := hmac.New(sha256.New, m.Key)
	mac.Write([]byte(sig.Timestamp + sig.Token))
	if err != nil || sig.Token == "" || !hmac.Equal(got, mac.Sum(nil)) {
		return nil, errMailgunSignature
	}
	sec, err := strconv.ParseInt(sig.Timestamp, 10, 64)
	if err != nil || !fresh(sec, m.Now()) {
		return nil, errStale
	}
	// Every token is kept, a delivery's too: its signature is as good
	// as a complaint's.
	if ok, err := m.Tokens.Take(ctx, "mailgun", sig.Token, body, time.Unix(sec, 0).Add(MaxAge)); err != nil {
		return nil, err
	} else if !ok {
		return nil, errReplay
	}
	ed := b.EventData
	if ed == nil || ed.Event == "" {
		return nil, badShape("Mailgun", "event-data with an event")
	}
	// A temporary failure is a deferral: Mailgun tries the message again,
	// with another event each time it fails, and reports a permanent
	// failure when it gives up (its status then says hard or soft). Taken
	// as soft bounces, three tries of one message would bounce the reader.
	var kind events.Kind
	switch {
	case ed.Event == "complained":
		kind = events.Complaint
	case ed.Event == "failed" && ed.Severity == "permanent":
		kind = events.BounceHard
	default:
		return nil, nil // deliveries, deferrals, opens, clicks, unsubscribes
	}
	if ed.Recipient == "" || ed.ID == "" {
		return nil, badShape("Mailgun", "a "+ed.Event+" event has an id and a recipient")
	}
	status := ed.DeliveryStatus.EnhancedCode
	if !events.ValidStatus(status) {
		status = statusIn(ed.DeliveryStatus.Message)
	}
	// Mailgun calls a full mailbox (5.2.2) or a policy block (5.7.x)
	// permanent when the server answered 5xx: the status says which it
	// is, as a DSN's does, so that the reader is not lost for a mailbox
	// that empties tomorrow.
	if kind == events.BounceHard && events.ValidStatus(status) {
		kind = events.KindOf(status)
	}
	ev := newEvent(m.VERP, events.SourceMailgun, kind, ed.Recipient, ed.Envelope.Sender, ed.Message.Headers.MessageID, ed.ID)
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
