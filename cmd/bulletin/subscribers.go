package main

import (
	"context"
	"fmt"
	"net/mail"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/web"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// wireSubscribers connects signup, confirmation and the subscriber API:
// task handlers on mux, reconcilers, and srv's dependencies.
func (m *Main) wireSubscribers(ctx context.Context, mux *asynq.ServeMux, srv *web.Server) error {
	a := m.app
	from, err := mail.ParseAddress(m.Config.From)
	if err != nil {
		return usagef("BULLETIN_FROM: %v", err)
	}
	a.Subscribers.SetSecret(a.Secret)
	signer := subscribers.NewSigner(a.Secret)
	signups := subscribers.NewSignups(a.Subscribers, a.Queue.Client, m.Log)
	// Closers run in reverse, so the signups stop before the queue closes
	// and hand their last batch to it.
	a.closers = append(a.closers, signups.Close)

	mux.Handle(queue.TypeSubscriberConfirm, &subscribers.Confirmer{
		Store: a.Subscribers, Signer: signer, Templates: a.Templates,
		Transport: mailer.Signing(a.Transport, a.DKIM), From: from, BaseURL: m.Config.BaseURL, Log: m.Log,
	})
	a.Reconcilers.Add("subscriber confirmations", a.Subscribers)

	srv.SubscriberDeps = web.SubscriberDeps{
		Signups: signups, Signer: signer, Pages: a.Templates, SignupRate: m.Config.SignupRate,
	}
	if srv.Subscribers == nil {
		return fmt.Errorf("wire subscribers: no store")
	}
	return nil
}
