package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A WelcomeStore holds the welcome mails recorded when readers confirm
// (subscribers.Store).
type WelcomeStore interface {
	WelcomeMail(ctx context.Context, subscriberID, listID int64) (*subscribers.Welcome, error)
	MarkWelcomed(ctx context.Context, subscriberID, listID int64) error
}

var _ WelcomeStore = (*subscribers.Store)(nil)

// HandleWelcome handles welcome:send: it renders the list's welcome text
// for the reader, in the same layout, with the same links and headers as
// the list's campaigns, sends it and marks it sent. A temporary failure
// is retried by the queue; a permanent one is given up on with a warn
// line, and recorded as the reader's bounce as a campaign's is. Only a crash between the server's accept and the mark sends it a
// second time. While the mail server refuses every message it waits at
// the gate (Gate), and one still held after a while is handed back to
// the queue, which is no failure.
//
// Once the welcome is no longer on its way (sent, given up on, or
// dropped), the digests of the list held for it go to the reader
// (releaseHeld): a reader gets the welcome before any digest.
func (s *Service) HandleWelcome(ctx context.Context, t *asynq.Task) error {
	var p queue.WelcomePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("welcome payload: %v: %w", err, asynq.SkipRetry)
	}
	if err := s.sendWelcome(ctx, p); err != nil {
		return err
	}
	if err := s.releaseHeld(ctx, p.SubscriberID, p.ListID); err != nil {
		// The welcome went: the reconciler hands the digest out.
		s.log().Error("send the digest held for a welcome mail; the reconciler will", "subscriber", p.SubscriberID, "err", err)
	}
	return nil
}

// sendWelcome sends the welcome mail p names, when it is still to send,
// and marks it sent (see HandleWelcome).
func (s *Service) sendWelcome(ctx context.Context, p queue.WelcomePayload) error {
	w, err := s.Welcomes.WelcomeMail(ctx, p.SubscriberID, p.ListID)
	if err != nil || w == nil {
		return err
	}
	mk := mailer.NewMarkers()
	html, text, err := Render(w.Markdown, mk)
	if err != nil {
		s.log().Warn("welcome mail not sent: its text does not render", "list", w.ListSlug, "err", err)
		return s.Welcomes.MarkWelcomed(ctx, p.SubscriberID, p.ListID)
	}
	content, err := s.wrap("Welcome to "+w.ListName, html, text, listHead{name: w.ListName, slug: w.ListSlug, from: w.From, replyTo: w.ReplyTo}, mk)
	if err != nil {
		return err
	}
	send := &queue.SendPayload{Content: *content, Recipients: []queue.Recipient{{
		SubscriberID: w.SubscriberID, Email: w.Email, Name: w.Name,
		Unsubscribe: s.Signer.SignList(w.SubscriberID, p.ListID),
		Preferences: s.Signer.Sign(subscribers.TokenPreferences, w.SubscriberID, 0),
		ReturnPath:  s.returnPath(bounces.Delivery{Kind: bounces.KindWelcome, SubscriberID: w.SubscriberID, ListID: p.ListID}),
	}}}
	err = mailer.SendNow(ctx, s.Gate.Transport(s.Transport), send)
	if errors.Is(err, mailer.ErrPermanent) {
		s.log().Warn("welcome mail refused; recorded as a bounce, not retried", "list", w.ListSlug, "subscriber", w.SubscriberID, "reason", err.Error())
		if err := s.recordWelcomeRefusal(ctx, w.SubscriberID, p.ListID, serverAnswer(err)); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	return s.Welcomes.MarkWelcomed(ctx, p.SubscriberID, p.ListID)
}

// returnPath is the VERP address of d, or "" (the From address) without a
// bounce domain.
func (s *Service) returnPath(d bounces.Delivery) string {
	if s.VERP == nil {
		return ""
	}
	return s.VERP.AddressOf(d)
}
