package main

import (
	"context"
	"database/sql"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/internal/web"
)

// wireTracking serves tracked links, the open pixel and the reports. The
// recorder is closed at shutdown after the HTTP server has stopped and
// before the database closes (closers run in reverse), so every click
// answered is written, and the link.clicked counts pending go out.
func (m *Main) wireTracking(srv *web.Server) {
	a := m.app
	events := tracking.NewClickEvents(emitClicks)
	rec := tracking.NewRecorder(a.DB, a.Secret, tracking.RecorderOptions{Log: m.Log, Events: events})
	a.closers = append(a.closers, rec.Close)
	srv.TrackDeps = web.TrackDeps{Tokens: tracking.NewSigner(a.Secret), Links: tracking.NewLinks(a.DB), Recorder: rec,
		Reports: tracking.NewReports(a.DB)}
}

// emitClicks writes a link.clicked event in the recorder's transaction.
func emitClicks(ctx context.Context, tx *sql.Tx, e tracking.ClickEvent) error {
	return hooks.EmitClicks(ctx, tx, hooks.Click{CampaignID: e.Campaign, URL: e.URL, Clicks: e.Clicks, Since: e.Since, Until: e.Until})
}
