package web

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The report of a campaign not yet sent names the tracking it will be sent
// with, its lists' as they are now (the strictest of them), not the "off"
// stored until its start fixes the mode; a sent campaign keeps the mode it
// was sent with.
func TestCampaignReportOfDraftNamesListsTracking(t *testing.T) {
	ctx := context.Background()
	q := queuetest.Embedded(t)
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("0123456789abcdef0123456789abcdef")
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		s.Campaigns = testCampaigns(s, d, q, out, secret)
		s.Campaigns.Tracker = tracking.NewSigner(secret)
		s.TrackDeps = TrackDeps{Reports: tracking.NewReports(d)}
	})
	for slug, mode := range map[string]string{"tracked": "on", "counted": "anonymous", "quiet": "off"} {
		if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: slug, Name: slug, Tracking: mode}); err != nil {
			t.Fatal(err)
		}
	}
	token, err := s.Admins.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	create := func(body string) string {
		t.Helper()
		code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", body)
		if code != http.StatusCreated {
			t.Fatalf("create %s = %d %v", body, code, got)
		}
		return strconv.FormatFloat(got["id"].(float64), 'f', 0, 64)
	}
	reportTracking := func(id string) any {
		t.Helper()
		code, got := apiCall(t, a.base, token, "GET", "/api/v1/campaigns/"+id+"/report", "")
		if code != http.StatusOK {
			t.Fatalf("report of %s = %d %v", id, code, got)
		}
		return got["tracking"]
	}
	ids := map[string]string{
		"draft to tracked":           create(`{"subject":"A","body":"See https://news.example/a","lists":["tracked"]}`),
		"draft to tracked and count": create(`{"subject":"B","body":"x","lists":["tracked","counted"]}`),
		"draft to quiet":             create(`{"subject":"C","body":"x","lists":["quiet"]}`),
		"scheduled to tracked":       create(`{"subject":"D","body":"x","lists":["tracked"],"send_at":"2099-01-01T09:00:00Z"}`),
	}
	now := sqlite.Now()
	res, err := db.Write.Exec(`INSERT INTO campaigns (kind, subject, status, tracking, started_at, created_at, updated_at)
		VALUES ('campaign', 'Sent untracked', 'sent', 'off', ?, ?, ?)`, now.Add(-time.Hour), now, now)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := res.LastInsertId()
	if _, err := db.Write.Exec(`INSERT INTO campaign_lists (campaign_id, list_id) SELECT ?, id FROM lists WHERE slug = 'tracked'`, sent); err != nil {
		t.Fatal(err)
	}
	ids["sent to tracked, untracked then"] = strconv.FormatInt(sent, 10)

	want := map[string]any{
		"draft to tracked":                "on",
		"draft to tracked and count":      "anonymous",
		"draft to quiet":                  "off",
		"scheduled to tracked":            "on",
		"sent to tracked, untracked then": "off",
	}
	got := map[string]any{}
	for name, id := range ids {
		got[name] = reportTracking(id)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reports' tracking (-want +got):\n%s", diff)
	}

	// The draft follows its list until it is sent.
	if _, err := db.Write.Exec(`UPDATE lists SET tracking = 'anonymous' WHERE slug = 'tracked'`); err != nil {
		t.Fatal(err)
	}
	if got := reportTracking(ids["draft to tracked"]); got != "anonymous" {
		t.Errorf("draft's report after its list went anonymous: tracking = %v, want anonymous", got)
	}

	// The admin's report page says the same: a draft to a tracked list is
	// not told its links went untracked; one to a quiet list is told they
	// will be.
	a.login("correct horse battery")
	for _, c := range []struct{ name, want, not string }{
		{"draft to tracked", "Not sent yet", "Link tracking"},
		{"draft to quiet", "Link tracking is off for its lists", "Link tracking was off"},
		{"sent to tracked, untracked then", "Link tracking was off", "Not sent yet"},
	} {
		resp, body := a.get("/admin/campaigns/" + ids[c.name] + "/report")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("admin report of %s = %d", c.name, resp.StatusCode)
		}
		if !strings.Contains(body, c.want) || strings.Contains(body, c.not) {
			t.Errorf("admin report of %s: want %q and no %q in\n%s", c.name, c.want, c.not, body)
		}
	}
}
