package main

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/web"
)

// wireDigests connects digests, feeds and the archive: task handlers and
// periodic entries (m.app.periodic), reconcilers, and srv's dependencies.
func (m *Main) wireDigests(ctx context.Context, mux *asynq.ServeMux, srv *web.Server) error {
	return nil
}
