package web

import (
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

// README, "Clicks and opens": "Links in old mail keep working after
// tracking is turned off; nothing more is recorded." A list's tracking is
// turned off (as PATCH /api/v1/lists/{slug} {"tracking":"off"} does, with
// UPDATE lists SET tracking); a reader then clicks a link in mail the list
// sent while tracking was on, and their mail loads the pixel. The redirect
// still works, but neither the click nor the open is recorded: the mode
// frozen into campaigns.tracking at send time is lowered to the lists'.
func TestClickAfterListTrackingTurnedOffIsNotRecorded(t *testing.T) {
	e := newTrackEnv(t)
	id, ds := e.campaign(t, tracking.On, true, issueLinks, 1)
	res, err := e.db.Write.Exec(`INSERT INTO lists (slug, name, created_at, tracking, opens) VALUES ('watched', 'Watched', ?, 'on', 1)`, sqlite.Now())
	if err != nil {
		t.Fatal(err)
	}
	list, _ := res.LastInsertId()
	if _, err := e.db.Write.Exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, id, list); err != nil {
		t.Fatal(err)
	}
	// The editor turns tracking off for the list.
	if _, err := e.db.Write.Exec(`UPDATE lists SET tracking = 'off', opens = 0 WHERE id = ?`, list); err != nil {
		t.Fatal(err)
	}

	w := e.do("GET", e.link(id, 0, ds[0]), browserUA)
	if w.Code != 302 || w.Header().Get("Location") != issueLinks[0] {
		t.Fatalf("old mail's link = %d to %q, want 302 to %q", w.Code, w.Header().Get("Location"), issueLinks[0])
	}
	e.do("GET", "/o/"+e.tokens.Reader(id, ds[0])+".gif", browserUA)
	e.rec.Flush()
	if n := e.count(t, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ?`, id); n != 0 {
		named := e.count(t, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ? AND delivery_id IS NOT NULL`, id)
		t.Errorf("%d clicks recorded (%d naming the reader's delivery) after the list's tracking was turned off, want 0", n, named)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM opens WHERE campaign_id = ?`, id); n != 0 {
		t.Errorf("%d opens recorded after the list's tracking was turned off, want 0", n)
	}
}
