package main

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/web"
)

// wireHooks sets up outgoing webhooks: the endpoints' API and admin
// pages, the batch task's handler, and the dispatcher, which runs until
// Close. Targets pass the feeds' SSRF guard: BULLETIN_ALLOW_PRIVATE_FEEDS
// also allows private webhook targets.
func (m *Main) wireHooks(mux *asynq.ServeMux, srv *web.Server) {
	a := m.app
	guard := hooks.Guard{AllowPrivate: m.Config.AllowPrivateFeeds}
	d := hooks.NewDispatcher(a.DB, a.Queue, guard, m.Log)
	store := hooks.NewStore(a.DB, guard)
	store.Kick = d.Kick
	mux.HandleFunc(hooks.TypeDeliver, d.HandleDeliver)
	srv.HookDeps = web.HookDeps{Hooks: store}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	// Closers run in reverse: the dispatcher stops before the queue and
	// the database close.
	a.closers = append(a.closers, func() error {
		cancel()
		<-done
		return nil
	})
}
