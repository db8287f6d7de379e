package webhooks

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
)

// SES reads Amazon SES bounce, complaint and delivery notifications
// delivered by an SNS topic over HTTPS. Every message's signature is
// checked against the SNS signing certificate, and only the configured
// topics are taken: any AWS account can sign messages of its own topics.
type SES struct {
	// Topics are the TopicArns taken.
	Topics []string
	// Certs fetches signing certificates, Confirm subscription URLs.
	Certs, Confirm Fetcher
	VERP           Resolver
	// Log gets a line for each signature refused, saying why;
	// slog.Default() when nil.
	Log   *slog.Logger
	certs certs
}

// errSNSSignature is the answer to a message whose signature does not
// verify, whatever the reason.
var errSNSSignature = bulletin.Errorf(bulletin.EUNAUTHORIZED, "The SNS signature does not verify: the message is not signed by Amazon SNS, or was changed after.")

// errSNSBusy is the answer to a message whose signing certificate would
// be fetched when certFetchesPerMinute are spent already.
var errSNSBusy = bulletin.Errorf(bulletin.ERATELIMITED, "Too many SNS signing certificates to fetch for now; try again in a minute.")

func (s *SES) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// NewSES returns an SES taking the comma-separated TopicArns in topics.
func NewSES(topics string, certs, confirm Fetcher, v Resolver) (*SES, error) {
	s := &SES{Certs: certs, Confirm: confirm, VERP: v}
	for _, t := range strings.Split(topics, ",") {
		if t = strings.TrimSpace(t); t != "" {
			if !strings.HasPrefix(t, "arn:aws") || strings.Count(t, ":") != 5 {
				return nil, bulletin.Errorf(bulletin.EINVALID, "BULLETIN_WEBHOOK_SES_TOPIC %q is not a topic ARN like arn:aws:sns:us-east-1:123456789012:bounces.", t)
			}
			s.Topics = append(s.Topics, t)
		}
	}
	if len(s.Topics) == 0 {
		return nil, bulletin.Errorf(bulletin.EINVALID, "BULLETIN_WEBHOOK_SES_TOPIC names no topic ARN.")
	}
	s.certs.fetch = certs
	return s, nil
}

// sesNotification is an SES notification (notificationType) or event
// publishing record (eventType).
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           *struct {
		BounceType        string    `json:"bounceType"`
		BounceSubType     string    `json:"bounceSubType"`
		FeedbackID        string    `json:"feedbackId"`
		Timestamp         time.Time `json:"timestamp"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		FeedbackID           string    `json:"feedbackId"`
		FeedbackType         string    `json:"complaintFeedbackType"`
		SubType              string    `json:"complaintSubType"`
		Timestamp            time.Time `json:"timestamp"`
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Mail struct {
		Source    string `json:"source"`
		MessageID string `json:"messageId"`
	} `json:"mail"`
}

// Events checks the SNS message in body: a subscription confirmation is
// confirmed by fetching its SubscribeURL, a notification read.
func (s *SES) Events(ctx context.Context, _ http.Header, body []byte) ([]events.Event, error) {
	var m snsMessage
	if err := decode("Amazon SNS", "a JSON object with Type and TopicArn", body, &m); err != nil {
		return nil, err
	}
	if m.Type == "" || m.TopicArn == "" {
		return nil, badShape("Amazon SNS", "a JSON object with Type and TopicArn")
	}
	if !s.topic(m.TopicArn) {
		return nil, errSESTopic
	}
	if err := s.certs.verify(ctx, &m); err != nil {
		// Why it does not verify (the certificate's fetch or parse, the
		// RSA check) is for the operator's log: the answer goes to
		// whoever sent the request, and says only that it was refused.
		s.log().Warn("SNS signature refused", "type", m.Type, "message_id", m.MessageID, "err", err)
		if errors.Is(err, errCertBudget) {
			// Not checked, rather than refused: SNS tries a 429 again,
			// and a real message gets its check once the minute is over.
			return nil, errSNSBusy
		}
		return nil, errSNSSignature
	}
	switch m.Type {
	case "SubscriptionConfirmation":
		if !snsURL(m.SubscribeURL) {
			return nil, badShape("Amazon SNS", "SubscribeURL is not https on sns.<region>.amazonaws.com")
		}
		if _, err := s.Confirm.Fetch(ctx, m.SubscribeURL); err != nil {
			// A plain error is internal: the web layer logs it in full
			// and answers only "Internal error.", where it would send
			// a *bulletin.Error's message, fetch error and all.
			return nil, fmt.Errorf("confirm SNS subscription: %w", err)
		}
		return nil, nil
	case "Notification":
		return s.notification(m.MessageID, []byte(m.Message))
	}
	return nil, nil // UnsubscribeConfirmation: nothing to do
}

// topic reports whether arn is one of the configured topics.
func (s *SES) topic(arn string) bool {
	ok := 0
	for _, t := range s.Topics {
		ok |= subtle.ConstantTimeCompare([]byte(t), []byte(arn))
	}
	return ok == 1
}

// notification reads the SES JSON an SNS notification carries.
func (s *SES) notification(snsID string, msg []byte) ([]events.Event, error) {
	var n sesNotification
	if err := decode("Amazon SES", "the SNS Message is not SES notification JSON", msg, &n); err != nil {
		return nil, err
	}
	typ := n.NotificationType
	if typ == "" {
		typ = n.EventType
	}
	var out []events.Event
	switch {
	case typ == "Bounce" && n.Bounce != nil:
		b := n.Bounce
		for _, r := range b.BouncedRecipients {
			status := r.Status
			if !events.ValidStatus(status) {
				status = statusIn(r.DiagnosticCode)
			}
			// A Permanent bounce is hard unless its recipient's status
			// says otherwise (a full mailbox, a policy block), as a DSN's
			// would: SES calls some of those permanent when the server
			// answered 5xx.
			kind := events.BounceSoft
			if b.BounceType == "Permanent" {
				kind = events.BounceHard
				if events.ValidStatus(status) {
					kind = events.KindOf(status)
				}
			}
			ev := newEvent(s.VERP, events.SourceSES, kind, r.EmailAddress, n.Mail.Source, "", orID(b.FeedbackID, snsID))
			ev.Status, ev.At, ev.RelayID = status, b.Timestamp, n.Mail.MessageID
			ev.Diagnostic = strings.TrimSpace(b.BounceType + "/" + b.BounceSubType + " " + r.DiagnosticCode)
			out = append(out, ev)
		}
	case typ == "Complaint" && n.Complaint != nil:
		c := n.Complaint
		kind, diagnostic := events.Complaint, c.FeedbackType
		switch {
		case c.SubType == sesSuppressed:
			// SES did not send the message: the address is on the
			// account's suppression list, for an earlier bounce or
			// complaint. Nobody complained of this mail, so it is no
			// complaint; but the address gets no mail through this
			// account, so it is a hard bounce, as the same drop notified
			// as a bounce (bounceSubType OnAccountSuppressionList) is.
			kind, diagnostic = events.BounceHard, "Complaint/"+sesSuppressed
		case !sesComplaint(c.FeedbackType):
			return nil, nil
		}
		for _, r := range c.ComplainedRecipients {
			ev := newEvent(s.VERP, events.SourceSES, kind, r.EmailAddress, n.Mail.Source, "", orID(c.FeedbackID, snsID))
			ev.At, ev.Diagnostic, ev.RelayID = c.Timestamp, diagnostic, n.Mail.MessageID
			out = append(out, ev)
		}
	case typ == "Bounce", typ == "Complaint":
		return nil, badShape("Amazon SES", "a "+typ+" notification without its "+strings.ToLower(typ)+" object")
	case typ == "":
		return nil, badShape("Amazon SES", "no notificationType or eventType")
	}
	for _, ev := range out {
		if ev.Email == "" {
			return nil, badShape("Amazon SES", "a recipient without emailAddress")
		}
	}
	return out, nil
}

// sesSuppressed is the complaintSubType (and bounceSubType) of a message
// SES accepted but did not send, because the address is on the account's
// suppression list. Such a bounce is Permanent: a hard bounce, read as
// any other.
const sesSuppressed = "OnAccountSuppressionList"

// sesComplaint reports whether an SES complaint of feedbackType is a
// reader's complaint, as an ARF report's is (bounces.parseARF): abuse,
// fraud or virus, the RFC 5965 types of mail the reader, or their
// provider for them, called unwanted. SES gives complaintFeedbackType
// only when the ISP attached a feedback report, so a complaint with none
// is a complaint all the same. not-spam is the reader saying the mail is
// not spam, auth-failure a report that the mail failed SPF, DKIM or DMARC
// (the sender's setup, not the reader's wish), and other, like any type
// not registered, says nothing of what the reader wants: none of them
// unsubscribes anyone.
func sesComplaint(feedbackType string) bool {
	switch strings.ToLower(strings.TrimSpace(feedbackType)) {
	case "", "abuse", "fraud", "virus":
		return true
	}
	return false
}

// orID is SES's feedback id or, when it gave none, the SNS message's.
func orID(feedback, sns string) string {
	if feedback != "" {
		return feedback
	}
	return "sns:" + sns
}
