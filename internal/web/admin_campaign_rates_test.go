package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

var campaignRates = regexp.MustCompile(`<p id="rates">(.*?)</p>`)

// Where a campaign has no bounce or complaint rates, none of its mail
// having left, its page said "nothing has been sent yet" also of one
// cancelled before any went out, which will never send. The line is now
// true of each status a campaign with no rates can be in; one that sent
// shows its rates. One cancelled before it started has no rates line:
// its line on when it was cancelled says that nothing was sent
// (TestCampaignCancelledBeforeItStartedSaysNothingWasSent).
func TestCampaignPageSaysWhyItHasNoRates(t *testing.T) {
	s, a, db, token := campaignServerWithDB(t)
	exec := execer(t, db)
	a.login("correct horse battery")

	// A scheduled campaign cancelled, through the API, before it starts.
	cancelled, api := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	if code, got := apiCall(t, a.base, token, "POST", api+"/cancel", ""); code != http.StatusOK || got["status"] != "cancelled" {
		t.Fatalf("cancel the scheduled campaign = %d %v", code, got)
	}

	// The others are stored in the state they are in, each with its
	// deliveries to ada, the news list's reader.
	ada, err := s.Subscribers.ByEmail(t.Context(), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	now := sqlite.Now()
	started := now.Add(-time.Hour)
	stored := func(status, delivery string) string {
		t.Helper()
		page, _ := createCampaign(t, a, token, `{"subject":"`+status+` `+delivery+`","body":"Hi","lists":["news"]}`)
		id := strings.TrimPrefix(page, "/admin/campaigns/")
		var finished any
		if status == "sent" || status == "cancelled" {
			finished = now
		}
		exec(`UPDATE campaigns SET status = ?, started_at = ?, finished_at = ?, fanout_done = 1 WHERE id = ?`, status, started, finished, id)
		if delivery != "" {
			var sentAt any
			if delivery == "sent" {
				sentAt = started
			}
			exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, ?, ?, ?)`, id, ada.ID, delivery, sentAt, started)
		}
		return page
	}

	if _, body := a.get(cancelled); campaignRates.MatchString(body) || !strings.Contains(body, "before sending started: nothing was sent.") {
		t.Errorf("cancelled before it started: the page has a rates line, or does not say nothing was sent:\n%s", progressCard(body))
	}
	for _, c := range []struct {
		name, page, want string
	}{
		{"cancelled part-way with nothing sent", stored("cancelled", "skipped"), "Cancelled before any mail went out: nothing was sent."},
		{"sending, nothing sent yet", stored("sending", "queued"), "No bounces or complaints: nothing has been sent yet."},
		{"paused, nothing sent yet", stored("paused", "queued"), "No bounces or complaints: nothing has been sent yet."},
		{"sent, every message failed", stored("sent", "failed"), "No bounces or complaints: it finished without sending any mail, as every message failed or was skipped."},
		{"sent to no one", stored("sent", ""), "No bounces or complaints: it finished with no reader to send to, so nothing was sent."},
		{"sent", stored("sent", "sent"), `<span style="white-space:nowrap">Bounces: <strong>0</strong> of 1 sent (0.00 %)</span>`},
		{"cancelled after one was sent", stored("cancelled", "sent"), `<span style="white-space:nowrap">Bounces: <strong>0</strong> of 1 sent (0.00 %)</span>`},
	} {
		resp, body := a.get(c.page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: GET %s = %d", c.name, c.page, resp.StatusCode)
		}
		m := campaignRates.FindStringSubmatch(body)
		if m == nil {
			t.Errorf("%s: the page has no rates line:\n%s", c.name, progressCard(body))
			continue
		}
		if !strings.HasPrefix(m[1], c.want) {
			t.Errorf("%s: the rates line reads %q, want it to start %q", c.name, m[1], c.want)
		}
	}
}
