package web

import (
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// With no SMTP server, a campaign cancelled before any of its mail went
// out has no "Written to the outbox, not mailed" notice on its page or
// its report: it sends nothing, to the outbox or anywhere. One that went
// out keeps the notice (TestReportSaysOutboxNotDelivered).
func TestOutboxNoticeLeftOffACampaignThatNeverSent(t *testing.T) {
	_, a, db := newReportAdminMailing(t, reportMail{outbox: true})
	exec := execer(t, db)
	now := sqlite.Now()
	id := exec(`INSERT INTO campaigns (kind, subject, status, tracking, finished_at, created_at, updated_at) VALUES ('campaign', 'Winter fair', 'cancelled', 'on', ?, ?, ?)`, now, now, now)
	exec(`INSERT INTO campaign_lists (campaign_id, list_id) SELECT ?, id FROM lists WHERE slug = 'news'`, id)
	a.login("correct horse battery")
	page := "/admin/campaigns/" + strconv.FormatInt(id, 10)
	// The campaign's page says it on its line of when it was cancelled.
	for path, says := range map[string]string{page: "before sending started: nothing was sent", page + "/report": "Cancelled before any mail went out"} {
		resp, body := a.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		if !strings.Contains(body, says) {
			t.Errorf("%s does not say the campaign was cancelled before any mail went out:\n%s", path, body)
		}
		if strings.Contains(body, `id="outbox-sent"`) {
			t.Errorf("%s says what the cancelled campaign sends goes to the outbox; it sends nothing", path)
		}
	}
}
