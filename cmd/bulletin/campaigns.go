package main

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/internal/web"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// wireCampaigns connects campaigns and delivery: fan-out, send and record
// handlers on mux, reconcilers, and srv's dependencies.
func (m *Main) wireCampaigns(ctx context.Context, mux *asynq.ServeMux, srv *web.Server) error {
	a := m.app
	svc := m.newCampaignService()
	// Results a killed process read from the server and had not yet
	// committed are in its journal: record them before their claims go.
	// A clean stop leaves it empty (Journal.Close), so this says only
	// what a kill, or a stop that could not write everything, left.
	journal, err := mailer.OpenJournal(filepath.Join(m.Config.Data, "sent.journal"))
	if err != nil {
		return err
	}
	a.closers = append(a.closers, journal.Close)
	if n, err := journal.Replay(ctx, svc.Record); err != nil {
		return err
	} else if n > 0 {
		m.Log.Info("recorded the results the last serve had from the SMTP server but had not written when it ended (killed, or stopped mid-write)", "results", n)
	}
	// Claims left now belong to a process that died: release them before
	// this process's sender starts.
	if err := svc.ClearClaims(ctx); err != nil {
		return err
	}
	sender := &mailer.Sender{
		Batch:  mailer.Batch(a.Transport, m.Config.SMTPConns),
		Ledger: svc.Ledger(),
		// A write of results costs its commit more than its rows: at
		// 15,000 messages a second, 10 ms (not the default 2) makes a
		// write of ~150 results, each of which costs about half what it
		// does in one of ~75 (BenchmarkRecord with BULLETIN_BENCH_WRITE,
		// docs/benchmarks.md). A kill -9 sends none of them twice (the
		// journal keeps them); a backup taken while a campaign sends
		// lacks at most those 10 ms.
		RecordEvery: 10 * time.Millisecond,
		Metrics:     mailer.NewMetrics(a.Registry),
		Log:         m.Log,
		Signer:      a.DKIM,
		Journal:     journal,
		Gate:        a.Gate,
	}
	var stopKicked func() error
	if !m.Config.NoSend {
		svc.Kick, stopKicked = kicker(ctx, sender, svc, m)
	}
	mux.HandleFunc(queue.TypeCampaignFanout, svc.HandleFanout)
	mux.HandleFunc(queue.TypeDeliveryRecord, svc.HandleRecord)
	mux.Handle(queue.TypeMailSend, sender)
	a.Reconcilers.Add("campaigns", queue.ReconcilerFunc(svc.Reconcile))
	// A campaign stalled by a Redis that lost its data or a run that
	// stopped is found within seconds, not at the next reconcile.
	stopWatch := svc.Watch()
	a.closers = append(a.closers, func() error { stopWatch(); return nil })
	mux.HandleFunc(queue.TypeWelcomeSend, svc.HandleWelcome)
	a.Subscribers.SetWelcomeQueue(a.Queue)
	a.Reconcilers.Add("welcome mails", queue.ReconcilerFunc(a.Subscribers.ReconcileWelcomes))
	a.Registry.MustRegister(mailer.NewDepthCollector(a.Queue.Redis()))
	// What waits to go out, counted from the index of queued rows on each
	// scrape, and what this process sent but cannot write down, which
	// stops its sending until it can.
	a.Registry.MustRegister(web.QueuedDeliveriesGauge(svc.Store.QueuedDeliveries, m.Log), web.ResultsHeldGauge(sender.Held))
	if c, ok := a.Transport.(interface{ Close() error }); ok {
		a.closers = append(a.closers, c.Close)
	}
	// Before the queue stops and the journal and transport close (their
	// batches record into one, through the other): serve's own batches are
	// handed back, then the queue's stop handing messages on (Drain).
	a.stopSending = append(a.stopSending, func() {
		if stopKicked != nil {
			stopKicked()
		}
		sender.Drain()
	})
	srv.Campaigns = svc
	return nil
}

// newCampaignService returns the campaigns service on what openAll opened.
func (m *Main) newCampaignService() *campaigns.Service {
	a := m.app
	store := campaigns.NewStore(a.DB)
	store.SetGoneRecorder(a.Gone)
	store.SetFeedbackMetrics(a.Events.Metrics())
	store.Log = m.Log
	return &campaigns.Service{
		Store:     store,
		Queue:     a.Queue,
		Redis:     a.Queue.Redis(),
		Signer:    subscribers.NewSigner(a.Secret),
		Templates: a.Templates,
		Transport: mailer.Signing(a.Transport, a.DKIM),
		Gate:      a.Gate,
		Welcomes:  a.Subscribers,
		VERP:      m.verp(a.Secret),
		Tracker:   tracking.NewSigner(a.Secret),
		BaseURL:   m.Config.BaseURL,
		From:      m.Config.From,
		Settings:  a.Settings,
		Log:       m.Log,
	}
}

// kickedBatches is how many batches serve's own sender takes from the
// fan-out at once. Four keep its chunks coming back to back; more would
// only hold memory and claims, since the SMTP pool is the limit.
const kickedBatches = 4

// kicker returns the Kick of serve's own sender: each batch is sent in
// the background, and the caller waits while kickedBatches are under way,
// so the fan-out runs only as far ahead as sending goes. A batch not sent
// in full (temporary failures, a failed write) goes to its mail:send
// task, which retries what is left with backoff.
//
// It also returns the stop, which serve's Close runs before the journal,
// the transport and the database close: batches under way stop at their
// next message and hand the rest back, and their results are recorded.
// Batches used to send on through the shutdown, into a closed journal and
// database: a graceful stop in the middle of a campaign sent 54 messages
// again after the restart (60,000 readers, to the outbox), and a process
// that exited mid-write left half-written files in the outbox. The stop
// waits at most stopKickedWithin, within the 10 s a stop may take.
//
// A stop hands back every batch under way, and those the fan-out still
// kicks until the queue stops: one line says how many, not one per batch
// (a stop during a campaign to 20,000 readers logged 33, most of batches
// that had sent nothing, each with "context canceled").
func kicker(ctx context.Context, sender *mailer.Sender, svc *campaigns.Service, m *Main) (kick func(p *queue.SendPayload), stop func() error) {
	slots := make(chan struct{}, kickedBatches)
	sending, cancel := context.WithCancel(ctx)
	var running sync.WaitGroup
	var handedBack atomic.Int64
	kick = func(p *queue.SendPayload) {
		slots <- struct{}{}
		running.Go(func() {
			defer func() { <-slots }()
			err := sender.Send(sending, p)
			if err == nil {
				return
			}
			if sending.Err() != nil { // serve stops: said once, by stop
				handedBack.Add(1)
				m.Log.Debug("batch handed back to its task as serve stops", "campaign", p.CampaignID, "batch", p.Batch, "err", err)
			} else if errors.Is(err, mailer.ErrResultsHeld) {
				m.Log.Info("batch waits until the results of mail sent can be written; its task sends what is left then", "campaign", p.CampaignID, "batch", p.Batch, "err", err)
			} else {
				m.Log.Info("batch sent in part; its task sends the rest", "campaign", p.CampaignID, "batch", p.Batch, "err", err)
			}
			if err := svc.EnqueueSend(context.WithoutCancel(sending), p); err != nil {
				m.Log.Error("queue the rest of a batch; the reconciler will", "campaign", p.CampaignID, "batch", p.Batch, "err", err)
			}
		})
	}
	stop = func() error {
		cancel()
		done := make(chan struct{})
		go func() { running.Wait(); close(done) }()
		select {
		case <-done:
			if n := handedBack.Load(); n > 0 {
				m.Log.Info("stopped sending: what is left of the batches under way goes to their tasks, sent after the restart", "batches", n)
			}
			if n := sender.Held(); n > 0 {
				m.Log.Warn("stopped with results of messages sent still unwritten (the database could not take them): those the results journal does not keep go again after the restart", "results", n)
			}
		case <-time.After(stopKickedWithin):
			m.Log.Warn("stopped with batches still sending: their last messages may go again after the restart")
		}
		return nil
	}
	return kick, stop
}

// stopKickedWithin bounds how long a stop waits for the batches under way.
const stopKickedWithin = 5 * time.Second
