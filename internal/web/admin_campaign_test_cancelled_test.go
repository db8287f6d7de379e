package web

import (
	"net/http"
	"strings"
	"testing"
)

// A campaign cancelled before sending started will never reach a reader:
// its page offers no test of it. A draft's, a scheduled campaign's and a
// sent one's do, a test being a copy of what readers get or got.
func TestCancelledCampaignOffersNoTest(t *testing.T) {
	_, a, db, token := campaignServerWithDB(t)
	a.login("correct horse battery")
	draft, _ := createCampaign(t, a, token, `{"subject":"Draft","body":"Hi","lists":["news"]}`)
	later, _ := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	never, neverAPI := createCampaign(t, a, token, `{"subject":"Never","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	if code, got := apiCall(t, a.base, token, "POST", neverAPI+"/cancel", ""); code != http.StatusOK || got["status"] != "cancelled" {
		t.Fatalf("cancel the scheduled campaign = %d %v", code, got)
	}
	sent, _ := createCampaign(t, a, token, `{"subject":"Sent","body":"Hi","lists":["news"]}`)
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = CURRENT_TIMESTAMP, finished_at = CURRENT_TIMESTAMP WHERE id = ?`, strings.TrimPrefix(sent, "/admin/campaigns/")); err != nil {
		t.Fatal(err)
	}
	for page, offers := range map[string]bool{draft: true, later: true, sent: true, never: false} {
		resp, body := a.get(page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", page, resp.StatusCode)
		}
		got := strings.Contains(body, "Send a test") || strings.Contains(body, `action="`+page+`/test"`)
		if got != offers {
			t.Errorf("%s offers a test: %v, want %v", page, got, offers)
		}
	}
}
