package main

import (
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/internal/web"
)

// wireTracking serves tracked links and the open pixel. Their recorder
// is closed at shutdown after the HTTP server has stopped and before the
// database closes (closers run in reverse), so every click answered is
// written.
func (m *Main) wireTracking(srv *web.Server) {
	a := m.app
	rec := tracking.NewRecorder(a.DB, a.Secret, tracking.RecorderOptions{Log: m.Log})
	a.closers = append(a.closers, rec.Close)
	srv.TrackDeps = web.TrackDeps{Tokens: tracking.NewSigner(a.Secret), Links: tracking.NewLinks(a.DB), Recorder: rec}
}
