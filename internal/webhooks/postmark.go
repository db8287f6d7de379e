package webhooks

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
)

// Postmark reads Postmark's bounce and spam complaint webhooks, which
// come with HTTP basic auth set in the webhook's URL.
type Postmark struct {
	// User and Pass are the basic auth credentials configured on the
	// webhook at Postmark.
	User, Pass string
	VERP       Resolver
}

// NewPostmark returns a Postmark checking the credentials "user:pass".
func NewPostmark(secret string, v Resolver) (*Postmark, error) {
	user, pass, ok := strings.Cut(secret, ":")
	if !ok || user == "" || pass == "" {
		return nil, bulletin.Errorf(bulletin.EINVALID, "BULLETIN_WEBHOOK_POSTMARK_SECRET is user:pass, the basic auth credentials of the webhook URL.")
	}
	return &Postmark{User: user, Pass: pass, VERP: v}, nil
}

// MinPostmarkPassword is the fewest characters a Postmark webhook
// password saved in the settings may have. Postmark authenticates with
// basic auth alone, and the webhook answers as fast as it is asked, so
// only a password too long to guess keeps forged bounces out; a lockout
// by address would turn away Postmark itself behind a proxy.
const MinPostmarkPassword = 16

// WeakPostmarkPassword reports whether the user:pass secret has a
// password shorter than MinPostmarkPassword.
func WeakPostmarkPassword(secret string) bool {
	_, pass, _ := strings.Cut(secret, ":")
	return utf8.RuneCountInString(pass) < MinPostmarkPassword
}

// PostmarkChallenge is the WWW-Authenticate value (RFC 7235, RFC 7617)
// of the 401 that refuses Postmark's credentials: the realm they are for,
// in UTF-8.
const PostmarkChallenge = `Basic realm="Bulletin webhooks", charset="UTF-8"`

// Challenge returns the WWW-Authenticate value that the 401 answering err
// carries: PostmarkChallenge when err refuses the basic auth of Postmark,
// the one provider that authenticates with HTTP auth, and "" for any
// other error, a bad signature's too, which no Authorization header
// would put right.
func Challenge(err error) string {
	if errors.Is(err, errPostmarkAuth) {
		return PostmarkChallenge
	}
	return ""
}

// postmarkRecord is one Postmark webhook body: a bounce, a spam complaint
// (which Postmark sends in the bounce shape), a subscription change or
// another record.
type postmarkRecord struct {
	RecordType  string
	ID          json.Number
	Type        string
	TypeCode    int
	MessageID   string
	Description string
	Details     string
	Email       string
	Recipient   string // deliveries, subscription changes
	BouncedAt   time.Time
	// A subscription change's: whether the address was added to the
	// stream's suppression list (or taken off), why, and by whom.
	SuppressSending   bool
	SuppressionReason string
	Origin            string
	ChangedAt         time.Time
}

// postmarkKinds are the kinds of the Postmark bounce types that are
// events, by Type (postmarkapp.com/developer/api/bounce-api, "Bounce
// types"). A Transient ("Message delayed/Undeliverable") is a soft
// bounce, as a SoftBounce is: Postmark retries a message that fails for
// now, and shows it Undeliverable or Soft Bounce once it has stopped
// trying. A remote server's own delay notices are Transient too, and may
// come more than once for one message: Events keys a record by its
// message, so that they count once. A SpamNotification is no complaint:
// the receiving server refused the message as spam, which Postmark tells
// apart from a reader marking it as spam (SpamComplaint) and does not
// deactivate the address for. It is a soft bounce, as a policy block is.
// The other types (AutoResponder, AddressChange, VirusNotification,
// Subscribe, Unsubscribe, ManuallyDeactivated and the like) are no
// bounce.
var postmarkKinds = map[string]events.Kind{
	"HardBounce":       events.BounceHard,
	"BadEmailAddress":  events.BounceHard,
	"Transient":        events.BounceSoft,
	"DnsError":         events.BounceSoft,
	"SoftBounce":       events.BounceSoft,
	"Blocked":          events.BounceSoft,
	"DMARCPolicy":      events.BounceSoft,
	"SpamNotification": events.BounceSoft,
	"SpamComplaint":    events.Complaint,
}

// postmarkTypes are the Types of Postmark's TypeCodes in postmarkKinds,
// for a record that gives only its TypeCode. The Type decides when there
// is one: Postmark's own example of its spam complaint webhook carries
// TypeCode 512, SpamNotification's.
var postmarkTypes = map[int]string{
	1:      "HardBounce",
	2:      "Transient",
	256:    "DnsError",
	512:    "SpamNotification",
	4096:   "SoftBounce",
	100000: "BadEmailAddress",
	100001: "SpamComplaint",
	100006: "Blocked",
	100009: "DMARCPolicy",
}

// Events checks the basic auth of h and reads the record in body.
func (p *Postmark) Events(_ context.Context, h http.Header, body []byte) ([]events.Event, error) {
	if !p.authorized(h.Get("Authorization")) {
		return nil, errPostmarkAuth
	}
	var rec postmarkRecord
	if err := decode("Postmark", "a JSON object with a RecordType", body, &rec); err != nil {
		return nil, err
	}
	if rec.RecordType == "" {
		return nil, badShape("Postmark", "a JSON object with a RecordType")
	}
	if rec.RecordType == "SubscriptionChange" {
		return p.subscriptionChange(rec)
	}
	if rec.RecordType != "Bounce" && rec.RecordType != "SpamComplaint" {
		return nil, nil // deliveries, opens, clicks: not ours to record
	}
	if rec.Email == "" || rec.ID == "" {
		return nil, badShape("Postmark", "a "+rec.RecordType+" record has an ID and an Email")
	}
	typ := rec.Type
	if typ == "" {
		typ = postmarkTypes[rec.TypeCode]
	}
	kind, ok := postmarkKinds[typ]
	if rec.RecordType == "SpamComplaint" {
		kind, ok = events.Complaint, true
	}
	if !ok {
		return nil, nil // auto-responders, subscribe requests and the like
	}
	// Each report has its own ID; the reports of one message (delay
	// notices, then Postmark giving up) are one event of each kind.
	key := rec.RecordType + ":" + rec.ID.String()
	if rec.MessageID != "" {
		key = "message:" + rec.MessageID
	}
	ev := newEvent(p.VERP, events.SourcePostmark, kind, rec.Email, "", "", key)
	ev.Status = statusIn(rec.Details)
	ev.Diagnostic = strings.TrimSpace(rec.Description + " " + rec.Details)
	ev.At = rec.BouncedAt
	ev.RelayID = rec.MessageID
	return []events.Event{ev}, nil
}

// subscriptionChange reads a SubscriptionChange record: an address added
// to or taken off a message stream's suppression list. Only a reader who
// unsubscribed through Postmark's link (reason ManualSuppression, origin
// Recipient) is an event, an Unsubscribe. A hard bounce or a spam
// complaint is added there too, and comes as its own Bounce or
// SpamComplaint record, with what it said; a suppression the account made
// (origin Customer or Admin) is not the reader's wish; and an address
// taken off the list (SuppressSending false) does not join any list: a
// reader joins through Bulletin's confirmed signup only.
func (p *Postmark) subscriptionChange(rec postmarkRecord) ([]events.Event, error) {
	if !rec.SuppressSending || rec.SuppressionReason != "ManualSuppression" || rec.Origin != "Recipient" {
		return nil, nil
	}
	if rec.Recipient == "" {
		return nil, badShape("Postmark", "a SubscriptionChange record has a Recipient")
	}
	ev := newEvent(p.VERP, events.SourcePostmark, events.Unsubscribe, rec.Recipient, "", "",
		"subscription:"+rec.MessageID+":"+rec.ChangedAt.UTC().Format(time.RFC3339Nano))
	ev.At = rec.ChangedAt
	ev.RelayID = rec.MessageID
	return []events.Event{ev}, nil
}

// authorized reports whether auth is Basic with the configured user and
// password, compared in constant time.
func (p *Postmark) authorized(auth string) bool {
	scheme, cred, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return false
	}
	user, pass, _ := strings.Cut(string(raw), ":")
	u := subtle.ConstantTimeCompare([]byte(user), []byte(p.User))
	pw := subtle.ConstantTimeCompare([]byte(pass), []byte(p.Pass))
	return u&pw == 1
}
