package web

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A campaign paused while its messages waited on the mail server said
// "Bulletin tries again on its own": it does not while paused. The notice
// says so, and what to do before resuming; a sending campaign's is as
// before.
func TestCampaignPausedWhileWaitingSaysNothingIsSent(t *testing.T) {
	e := newCampaignFeedbackEnv(t)
	now := sqlite.Now()
	sid := e.exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('ann@example.com', 'ann@example.com', 'confirmed', ?, ?)`, now, now)
	e.a.loginAs("editor@example.com", "correct horse battery")
	for _, tc := range []struct {
		status   string
		want     []string
		dontWant string
	}{
		{"paused", []string{"Messages were waiting on the mail server when the campaign was paused", "Nothing is sent while it is paused",
			"then resume it and Bulletin tries again"}, "tries again on its own"},
		{"sending", []string{"Waiting on the mail server.", "Bulletin tries again on its own"}, "Nothing is sent while it is paused"},
	} {
		cid := e.exec(`INSERT INTO campaigns (subject, status, started_at, created_at, updated_at) VALUES ('Week', ?, ?, ?, ?)`, tc.status, now, now, now)
		e.exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, last_error, updated_at) VALUES (?, ?, 'queued', '421 4.3.0 try later', ?)`, cid, sid, now)
		resp, page := e.a.get("/admin/campaigns/" + itoa(cid))
		if resp.StatusCode != 200 {
			t.Fatalf("%s campaign page = %d", tc.status, resp.StatusCode)
		}
		i := strings.Index(page, `<p id="waiting"`)
		if i < 0 || strings.Contains(page[i:i+80], "hidden") {
			t.Fatalf("%s campaign page shows no waiting notice:\n%s", tc.status, page)
		}
		notice := page[i : i+strings.Index(page[i:], "</p>")]
		for _, w := range tc.want {
			if !strings.Contains(notice, w) {
				t.Errorf("%s: the notice lacks %q:\n%s", tc.status, w, notice)
			}
		}
		if strings.Contains(notice, tc.dontWant) || !strings.Contains(notice, "421 4.3.0 try later") {
			t.Errorf("%s: the notice says %q, or lacks the server's answer:\n%s", tc.status, tc.dontWant, notice)
		}
	}
}
