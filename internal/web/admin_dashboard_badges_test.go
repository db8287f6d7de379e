package web

import (
	"regexp"
	"strings"
	"testing"
)

var statusBadge = regexp.MustCompile(`<td data-label="Status">(<span class="[^"]*">[a-z]+</span>)</td>`)

// The dashboard's recent campaigns show each status in the badge the
// campaigns list gives it, green once sent, red once cancelled: they were
// all plain grey there.
func TestDashboardStatusBadgesAsCampaignsList(t *testing.T) {
	_, a, db, token := pages31Server(t)
	draft, _ := createCampaign(t, a, token, `{"subject":"Draft","body":"Hi","lists":["news"]}`)
	sent, _ := createCampaign(t, a, token, `{"subject":"Sent","body":"Hi","lists":["news"]}`)
	cancelled, _ := createCampaign(t, a, token, `{"subject":"Stopped","body":"Hi","lists":["news"]}`)
	for page, status := range map[string]string{sent: "sent", cancelled: "cancelled"} {
		if _, err := db.Write.Exec(`UPDATE campaigns SET status = ?, started_at = CURRENT_TIMESTAMP, finished_at = CURRENT_TIMESTAMP WHERE id = ?`,
			status, strings.TrimPrefix(page, "/admin/campaigns/")); err != nil {
			t.Fatal(err)
		}
	}
	_, list := a.get("/admin/campaigns")
	_, dash := a.get("/admin")
	if !strings.Contains(dash, ".status-confirmed{") {
		t.Errorf("the dashboard has no status badge styles:\n%s", dash)
	}
	for page, want := range map[string]string{
		draft:     `<span class="badge status">draft</span>`,
		sent:      `<span class="badge status status-confirmed">sent</span>`,
		cancelled: `<span class="badge status status-bounced">cancelled</span>`,
	} {
		inList, onDash := statusBadge.FindStringSubmatch(rowOf(list, page)), statusBadge.FindStringSubmatch(rowOf(dash, page))
		if inList == nil || onDash == nil {
			t.Fatalf("%s: no status badge in the campaigns list (%v) or on the dashboard (%v)", page, inList, onDash)
		}
		if inList[1] != want || onDash[1] != want {
			t.Errorf("%s: campaigns list %s, dashboard %s, want both %s", page, inList[1], onDash[1], want)
		}
	}
}
