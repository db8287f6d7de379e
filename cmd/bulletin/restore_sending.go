package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/prose"
)

// A goingOut is a campaign or digest of a restored database that serve
// sends on as it starts: one sending, or one scheduled for a time past.
type goingOut struct {
	id       int64
	kind     string // campaign or digest
	subject  string
	status   string
	sendAt   sql.NullTime
	queued   int
	fanning  bool // its readers were still being queued
	pastDate bool
}

// goingOutIn reads the campaigns and digests of the database at path that
// serve would send on as it starts, reading it as a backup is read.
func goingOutIn(ctx context.Context, path string, now time.Time) ([]goingOut, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT c.id, c.kind, c.subject, c.status, c.send_at, c.kind = 'campaign' AND NOT c.fanout_done,
			(SELECT COUNT(*) FROM deliveries d WHERE d.campaign_id = c.id AND d.status = 'queued')
		FROM campaigns c WHERE c.status = 'sending' OR c.status = 'scheduled' AND c.send_at IS NOT NULL
		ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []goingOut
	for rows.Next() {
		var g goingOut
		if err := rows.Scan(&g.id, &g.kind, &g.subject, &g.status, &g.sendAt, &g.fanning, &g.queued); err != nil {
			return nil, err
		}
		if g.status == "scheduled" {
			if !g.sendAt.Valid || g.sendAt.Time.After(now) {
				continue // it goes at its time, as it would have
			}
			g.pastDate = true
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// warnGoingOut says, once a restore is done, which campaigns and digests
// of the restored database serve sends on as it starts, and how to hold
// them: what went out after the backup was taken is not recorded in it,
// so those readers get it again. README says so; restore said nothing,
// and an operator who restored a backup taken mid-campaign learned of it
// from the readers.
func warnGoingOut(w io.Writer, list []goingOut) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(w, "Warning: the restored database has %s that bulletin serve sends on as soon as it starts; "+
		"readers mailed after this backup was taken are not recorded in it and get the mail again:\n", countOf(len(list), "campaign or digest", "campaigns or digests"))
	for _, g := range list {
		subject := strings.Join(strings.Fields(g.subject), " ")
		var state string
		switch {
		case g.pastDate:
			state = "scheduled for " + g.sendAt.Time.UTC().Format("2006-01-02 15:04 UTC") + ", a time already past: it starts at once"
		default:
			state = "sending, " + countOf(g.queued, "delivery", "deliveries") + " still queued"
			if g.fanning {
				state += ", and the rest of its readers still to queue"
			}
		}
		fmt.Fprintf(w, "  %s %d %q: %s\n", g.kind, g.id, subject, state)
	}
	fmt.Fprintf(w, "To hold one, pause or cancel it on its page, /admin/campaigns/ID (or POST /api/v1/campaigns/ID/pause), as soon as serve is up: "+
		"a pause stops the messages not yet on the wire. No command pauses one with serve stopped; "+
		"with BULLETIN_REDIS_URL, start serve with --no-send and the workers stopped, pause, then start the workers.\n")
}

// countOf is n with the singular or plural noun, in plain digits.
func countOf(n int, one, many string) string { return prose.CountDigits(n, one, many) }
