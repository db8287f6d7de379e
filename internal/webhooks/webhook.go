// Package webhooks reads the bounce and complaint webhooks of email
// providers (Amazon SES through SNS, Postmark, SendGrid, Mailgun): each
// Provider checks a request's signature or credentials before it reads a
// field, then turns the body into events for the events pipeline:
// bounces, complaints, and readers who unsubscribed through the provider.
// The other events a provider reports (deliveries, opens) are accepted
// and dropped.
package webhooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
)

// MaxAge is how old a signed SendGrid timestamp may be before the
// request is refused as a replay. A provider retries a webhook we did not
// answer with the timestamp of its first try: SendGrid for up to 24 hours
// after the event. The window covers that, and an hour more for a retry
// that is slow to arrive or a clock that is off, so that the bounces and
// complaints of a day's outage are not refused for ever. A replay within
// it does no harm: SendGrid signs the body, and the same body again is
// stored once (each event by its key).
const MaxAge = 25 * time.Hour

// MailgunMaxAge is MaxAge for Mailgun, which retries for 8 hours (after
// 5, 10 and 15 minutes, 1, 2 and 4 hours), with an hour more. Mailgun
// signs a token, not the body: a token taken with one body is refused
// with another (Tokens keeps every token for this long), but a signed
// request that never reached Bulletin could carry another body, so the
// window is no longer than Mailgun's retries need.
const MailgunMaxAge = 9 * time.Hour

// MaxSkew is how far ahead of our clock a signed timestamp may be: no
// provider retries from the future, so only clocks that disagree are
// allowed for.
const MaxSkew = 5 * time.Minute

// A Provider checks one provider's webhook request and returns the
// events it reports. A bad signature or credential is an EUNAUTHORIZED
// error, a body not in the provider's shape an EBADREQUEST one.
type Provider interface {
	Events(ctx context.Context, h http.Header, body []byte) ([]events.Event, error)
}

// A Resolver names the delivery of a VERP address, or of a Message-ID
// Bulletin wrote (*bounces.VERP is one).
type Resolver interface {
	Parse(addr string) (bounces.Delivery, error)
	ParseMessageID(id string) (bounces.Delivery, error)
}

// The answers to a request whose signature or credentials are refused,
// each naming what the provider signs with and where it is configured
// (its BULLETIN_WEBHOOK_* variable, or the value saved at Settings).
var (
	errMailgunSignature  = bulletin.Errorf(bulletin.EUNAUTHORIZED, "The webhook's signature does not match the configured Mailgun signing key (BULLETIN_WEBHOOK_MAILGUN_SECRET or Settings).")
	errSendGridSignature = bulletin.Errorf(bulletin.EUNAUTHORIZED, "The webhook's signature does not verify with the configured SendGrid verification key (BULLETIN_WEBHOOK_SENDGRID_SECRET or Settings).")
	errPostmarkAuth      = bulletin.Errorf(bulletin.EUNAUTHORIZED, "The webhook's basic auth user and password do not match the configured secret (BULLETIN_WEBHOOK_POSTMARK_SECRET or Settings).")
	errSESTopic          = bulletin.Errorf(bulletin.EUNAUTHORIZED, "This SNS topic is not the topic configured (BULLETIN_WEBHOOK_SES_TOPIC or Settings).")
	errStale             = bulletin.Errorf(bulletin.EUNAUTHORIZED, "The webhook's timestamp is more than %d hours old or more than %d minutes ahead: a replay, or a clock to fix.", MaxAge/time.Hour, MaxSkew/time.Minute)
	errMailgunStale      = bulletin.Errorf(bulletin.EUNAUTHORIZED, "The webhook's timestamp is more than %d hours old or more than %d minutes ahead: a replay, or a clock to fix.", MailgunMaxAge/time.Hour, MaxSkew/time.Minute)
)

// badShape is the error for a body that is not the provider's.
func badShape(provider, what string) error {
	return bulletin.Errorf(bulletin.EBADREQUEST, "This is not %s %s webhook body: %s.", article(provider), provider, what)
}

// article is the indefinite article before name: "an" before a vowel
// ("an Amazon SNS"), else "a".
func article(name string) string {
	if name != "" && strings.ContainsRune("AEIOUaeiou", rune(name[0])) {
		return "an"
	}
	return "a"
}

// newEvent returns the event of kind on email, tied to the delivery its
// envelope sender names when that is one of our VERP addresses, or else
// the one its Message-ID names (a delivery's carries its VERP token). key
// is the provider's own id of the event; a campaign's delivery takes the
// delivery's key instead, so that a bounce reported at send time and by
// the provider is one. An unsubscribe keeps the provider's key: a reader
// who joined again may leave through the same mail's link once more, and
// only the provider's retry of one report is the same event.
func newEvent(v Resolver, src events.Source, kind events.Kind, email, returnPath, messageID, key string) events.Event {
	ev := events.Event{Kind: kind, Source: src, Email: strings.TrimSpace(email)}
	if v != nil {
		d, err := v.Parse(returnPath)
		if err != nil && messageID != "" {
			d, err = v.ParseMessageID(messageID)
		}
		if err == nil {
			switch d.Kind {
			case bounces.KindCampaign:
				ev.CampaignID, ev.SubscriberID = d.CampaignID, d.SubscriberID
			case bounces.KindConfirm, bounces.KindWelcome:
				ev.SubscriberID = d.SubscriberID
			case bounces.KindTest:
				// A test send's: about no reader, whoever has its address.
				ev.NoReader = true
			}
		}
	}
	if ev.CampaignID == 0 || ev.SubscriberID == 0 || kind == events.Unsubscribe {
		sum := sha256.Sum256([]byte(string(src) + "\x00" + string(kind) + "\x00" + key + "\x00" + strings.ToLower(ev.Email)))
		ev.Key = string(src) + ":" + hex.EncodeToString(sum[:16])
	}
	return ev
}

// statusIn returns the first enhanced status code (RFC 3463) in s, or "".
func statusIn(s string) string {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ';' || r == ',' || r == '(' || r == ')' }) {
		if events.ValidStatus(f) {
			return f
		}
	}
	return ""
}

// fresh reports whether unix seconds ts is at most maxAge before now and
// at most MaxSkew after it.
func fresh(ts int64, now time.Time, maxAge time.Duration) bool {
	d := now.Sub(time.Unix(ts, 0))
	return d <= maxAge && d >= -MaxSkew
}
