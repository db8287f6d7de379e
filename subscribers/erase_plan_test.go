package subscribers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// Erasing a reader and exporting their data look their deliveries up
// campaign by campaign through UNIQUE (campaign_id, subscriber_id): a
// search by subscriber_id alone reads the whole table, which at 90 days
// of a daily digest is millions of rows, the erasure's under the write
// lock that signups and sends wait on.
func TestEraseAndExportSeekDeliveriesByCampaign(t *testing.T) {
	s := newStore(t)
	for name, q := range map[string]string{"erase": foldErasedSQL, "export": deliveriesOfSQL, "clicks": clicksOfSQL, "opens": opensOfSQL} {
		p := sqlitetest.Plan(t, s.db.Write, q, int64(7))
		if strings.Contains(p, "SCAN d") || strings.Contains(p, "SCAN deliveries") ||
			!strings.Contains(p, "sqlite_autoindex_deliveries_1 (campaign_id=? AND subscriber_id=?)") {
			t.Errorf("%s reads deliveries without seeking campaign and reader:\n%s", name, p)
		}
	}
}

// What the seek finds is what the old scan found: the erased reader's
// deliveries of every campaign, folded into each campaign's totals by
// status, nobody else's, and their export in the order they were made.
func TestEraseFoldsAndExportListsEveryCampaignsDeliveries(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var ids []int64
	for _, e := range []string{"kept@example.com", "gone@example.com"} {
		sub, err := s.Create(ctx, &NewSubscriber{Email: e, Status: StatusConfirmed, Lists: []string{"news"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sub.ID)
	}
	kept, gone := ids[0], ids[1]
	now := sqlite.Now()
	exec := func(q string, args ...any) int64 {
		t.Helper()
		res, err := s.db.Write.ExecContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	// Three campaigns; the one in the middle made the erased reader's
	// delivery last, so the export's order is by delivery, not campaign.
	var camps []int64
	for _, subject := range []string{"First", "Second", "Third"} {
		camps = append(camps, exec(`INSERT INTO campaigns (kind, subject, body_html, body_text, status, created_at, updated_at)
			VALUES ('campaign', ?, '<p>x</p>', 'x', 'sending', ?, ?)`, subject, now, now))
	}
	add := func(camp, sub int64, status string) {
		exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at) VALUES (?, ?, ?, ?)`, camp, sub, status, now)
	}
	add(camps[0], gone, "sent")
	add(camps[2], gone, "bounced")
	add(camps[1], gone, "queued")
	for _, c := range camps {
		add(c, kept, "sent")
	}

	exp, err := s.ExportOf(ctx, gone)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range exp.Deliveries {
		got = append(got, d.Subject+":"+d.Status)
	}
	if want := "First:sent Third:bounced Second:queued"; strings.Join(got, " ") != want {
		t.Errorf("export lists %q, want %q", strings.Join(got, " "), want)
	}

	if err := s.Erase(ctx, gone); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"1 0 0", "0 0 0", "0 0 1"} {
		var sent, failed, bounced int
		if err := s.db.Read.QueryRow(`SELECT folded_sent, folded_failed, folded_bounced FROM campaigns WHERE id = ?`, camps[i]).
			Scan(&sent, &failed, &bounced); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(sent, failed, bounced); got != want {
			t.Errorf("campaign %d folded sent/failed/bounced %s, want %s", i+1, got, want)
		}
	}
	var left, theirs int
	if err := s.db.Read.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE subscriber_id = ?) FROM deliveries`, gone).Scan(&left, &theirs); err != nil {
		t.Fatal(err)
	}
	if left != 3 || theirs != 0 {
		t.Errorf("%d deliveries left, %d of the erased reader's; want the other reader's 3 and none of theirs", left, theirs)
	}
}
