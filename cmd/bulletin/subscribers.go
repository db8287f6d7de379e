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
	confirmer, err := m.newConfirmer()
	if err != nil {
		return err
	}
	confirmer.GiveWay = true // serve's tasks share its cores with the requests
	confirmer.Gate = a.Gate  // its mails wait with the campaign batches while the relay refuses them all
	signer := confirmer.Signer
	signups := subscribers.NewSignups(a.Subscribers, a.Queue, m.Log)
	signups.Metrics = subscribers.NewSignupMetrics(a.Registry)
	// A signup held back within ConfirmInterval of the last mail gets the
	// mail naming every list when the interval is over, not at the
	// reconciler's next tick, up to 5 minutes later.
	signups.DueTasks = true
	// Closers run in reverse, so the signups stop before the queue closes
	// and hand their last batch to it.
	a.closers = append(a.closers, signups.Close)

	mux.Handle(queue.TypeSubscriberConfirm, confirmer)
	mux.Handle(queue.TypeSubscriberConfirmDue, &subscribers.DueConfirmer{Store: a.Subscribers, Queue: a.Queue})
	a.Reconcilers.Add("subscriber confirmations", a.Subscribers)

	// A reader's ask for a data link is committed and answered at once,
	// and its mail sent after: once the HTTP server has answered its last
	// request, the mails asked for go (up to subscribers.DataLinkStopWait)
	// before the transport stops taking messages. The asks a serve before
	// this one committed and did not send (killed, or stopped past its
	// wait) go now, while their links still work.
	dataLinks := subscribers.NewDataLinks(confirmer)
	a.stopSending = append(a.stopSending, dataLinks.Stop)
	if n, err := dataLinks.Resume(ctx); err != nil {
		m.Log.Warn("data link mails asked for before this start not resumed; those readers may ask again", "err", err)
	} else if n > 0 {
		m.Log.Info("sending the data link mails asked for before this start", "mails", n)
	}

	srv.SubscriberDeps = web.SubscriberDeps{
		Signups: signups, Signer: signer, Pages: a.Templates, SignupRate: m.Config.SignupRate,
		Confirms:  a.Queue, // readers an admin adds or imports as pending
		DataLinks: dataLinks,
	}
	if srv.Subscribers == nil {
		return fmt.Errorf("wire subscribers: no store")
	}
	return nil
}

// newConfirmer returns the sender of confirmation mails on what openAll
// opened. serve and import both use it, so the mails and their links are
// the same whichever process builds them.
func (m *Main) newConfirmer() (*subscribers.Confirmer, error) {
	a := m.app
	from, err := mail.ParseAddress(m.Config.From)
	if err != nil {
		return nil, usagef("BULLETIN_FROM: %v", err)
	}
	a.Subscribers.SetSecret(a.Secret)
	return &subscribers.Confirmer{
		Store: a.Subscribers, Signer: subscribers.NewSigner(a.Secret), Templates: a.Templates,
		Transport: mailer.Signing(a.Transport, a.DKIM), From: from, BaseURL: m.Config.BaseURL, Settings: a.Settings, Log: m.Log,
		VERP: m.verp(a.Secret),
	}, nil
}

// runNow is a queue.Enqueuer that runs each task at once: with the
// embedded Redis no serve can see this process's tasks, so a command
// does their work itself before it exits.
type runNow struct{ h asynq.Handler }

func (r runNow) EnqueueContext(ctx context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	return &asynq.TaskInfo{}, r.h.ProcessTask(ctx, t)
}

var _ queue.Enqueuer = runNow{}
