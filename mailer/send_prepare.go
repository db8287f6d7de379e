package mailer

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// prepare returns the results and messages of the claimed recipients of
// rs. A recipient whose fields cannot be composed fails at once and has
// no message; the others' results are settled once they are sent.
func (s *Sender) prepare(cm *CampaignMessage, cid int64, rs []tasks.Recipient, claimed []int64) ([]tasks.Result, []Outgoing) {
	mine := make(map[int64]bool, len(claimed))
	for _, id := range claimed {
		mine[id] = true
	}
	results := make([]tasks.Result, 0, len(claimed))
	out := make([]Outgoing, 0, len(claimed))
	for _, r := range rs {
		if !mine[r.DeliveryID] {
			continue
		}
		p := Personal{Email: r.Email, Name: r.Name, Unsubscribe: r.Unsubscribe, Preferences: r.Preferences, Reader: r.Reader,
			MessageID: cmp.Or(localPart(r.ReturnPath), deliveryMessageID(cid, r))}
		if err := cm.Check(p); err != nil {
			results = append(results, tasks.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: tasks.ResultFailed, Reply: err.Error(), At: time.Now().UTC()})
			continue
		}
		results = append(results, tasks.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID})
		out = append(out, Outgoing{From: cmp.Or(r.ReturnPath, cm.From()), To: r.Email, Body: cm.For(p)})
	}
	return results, out
}

// settle fills in the status of a result from its send error: accepted is
// sent, a 5xx is bounced, anything else is retried, or failed on the final
// attempt. It reports whether the delivery is to be retried.
func settle(r *tasks.Result, err error, final bool) bool {
	r.At = time.Now().UTC()
	switch {
	case err == nil:
		r.Status = tasks.ResultSent
	case errors.Is(err, ErrPermanent):
		r.Status, r.Reply = tasks.ResultBounced, err.Error()
	case final:
		r.Status, r.Reply = tasks.ResultFailed, err.Error()
	default:
		r.Status, r.Reply = tasks.ResultRetry, err.Error()
		return true
	}
	return false
}

// newCampaignMessage composes a task's content once, with the list
// headers of SPEC §4.
func newCampaignMessage(c tasks.Content) (*CampaignMessage, error) {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", c.From, err)
	}
	mk := Markers(c.Markers)
	headers := [][2]string{
		{"List-Unsubscribe", "<" + c.BaseURL + "/unsubscribe/" + mk.Of(Unsubscribe) + ">"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		{"List-Id", c.ListID},
	}
	if c.ReplyTo != "" {
		headers = append(headers, [2]string{"Reply-To", c.ReplyTo})
	}
	return NewCampaignMessage(CampaignContent{
		Markers: mk,
		From:    from,
		Subject: c.Subject,
		HTML:    c.HTML,
		Text:    c.Text,
		Date:    time.Now(),
		Headers: headers,
	})
}

// SendNow composes and sends a batch at once over t, outside the queue and
// its ledger: for test sends, which no delivery row records.
func SendNow(ctx context.Context, t Transport, p *tasks.SendPayload) error {
	return sendNow(ctx, t, p, nil)
}

// SendTest is SendNow for a test send: each recipient gets the mail of
// sample, the reader the preview shows, whose name and address stand
// wherever the body writes a reader's own, so that the test reads as the
// preview does; the message goes to the recipient's address, which its To
// header names alone, and carries the recipient's tokens in its links.
func SendTest(ctx context.Context, t Transport, p *tasks.SendPayload, sample Personal) error {
	return sendNow(ctx, t, p, &sample)
}

func sendNow(ctx context.Context, t Transport, p *tasks.SendPayload, sample *Personal) error {
	cm, err := newCampaignMessage(p.Content)
	if err != nil {
		return err
	}
	for _, r := range p.Recipients {
		pp := Personal{Email: r.Email, Name: r.Name, Unsubscribe: r.Unsubscribe, Preferences: r.Preferences, Reader: r.Reader}
		if sample != nil {
			pp.Email, pp.Name, pp.To = sample.Email, sample.Name, r.Email
		}
		data, err := cm.Compose(nil, pp)
		if err != nil {
			return err
		}
		if err := t.Send(ctx, cmp.Or(r.ReturnPath, cm.From()), []string{r.Email}, data); err != nil {
			return fmt.Errorf("send to %s: %w", r.Email, err)
		}
	}
	return nil
}

// deliveryMessageID is the left side of the Message-ID of delivery r of
// campaign cid when it has no VERP address (no bounce domain set): the
// same each time the delivery is composed, so a copy sent again after a
// kill -9 or a dropped connection is the same message to the receiver,
// which can drop it. It is the delivery's tracking token (r.Reader),
// which names the campaign and the delivery sealed with the install's
// secret, as the bounce domain's VERP address does: unique within the
// install, unlike another install's, and made the same each time. It
// showed the campaign and delivery ids, "c7.d103.…", from which two
// mails told a reader how many messages went out in between. A delivery
// without a tracking token gets a digest of its ids and unsubscribe
// token instead, which shows neither; one with neither token (none is
// composed without one) gets "", and the Message-ID is random.
func deliveryMessageID(cid int64, r tasks.Recipient) string {
	if r.DeliveryID <= 0 {
		return ""
	}
	if r.Reader != "" && messageIDLeft(r.Reader) {
		return r.Reader
	}
	if r.Unsubscribe == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(strconv.FormatInt(cid, 10) + "." + strconv.FormatInt(r.DeliveryID, 10) + "." + r.Unsubscribe))
	return hex.EncodeToString(sum[:12])
}

// localPart returns the local part of a delivery's own envelope sender
// (its VERP address), which becomes the left side of its Message-ID, or
// "" when it has none or it cannot be one.
func localPart(returnPath string) string {
	i := strings.LastIndexByte(returnPath, '@')
	if i <= 0 || !messageIDLeft(returnPath[:i]) {
		return ""
	}
	return returnPath[:i]
}
