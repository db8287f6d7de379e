package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// progressCellOf is the Progress cell of the campaign at page in a
// campaigns list or dashboard body, "" when it has none.
func progressCellOf(body, page string) string {
	row := regexp.MustCompile(`<a href="` + page + `">.*?</tr>`).FindString(body)
	m := regexp.MustCompile(`<td data-label="Progress">(.*?)</td>`).FindStringSubmatch(row)
	if m == nil {
		return ""
	}
	return m[1]
}

// A campaign cancelled while it was scheduled never started: its page
// said "before sending started", then "0 of 1 sent", "1 reader not
// sent (never queued)" and "nothing was sent", and the campaigns list
// "0 of 1 sent · 1 not sent", as of a campaign cancelled midway. Each
// now says once that nothing was sent, the page how many readers it
// would have gone to, as the API's audience does. One cancelled after it
// started keeps its numbers.
func TestCampaignCancelledBeforeItStartedSaysNothingWasSent(t *testing.T) {
	s, a, _, token := campaignServerWithDB(t)
	a.login("correct horse battery")

	never, api := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	if code, got := apiCall(t, a.base, token, "POST", api+"/cancel", ""); code != http.StatusOK || got["status"] != "cancelled" {
		t.Fatalf("cancel the scheduled campaign = %d %v", code, got)
	}
	code, got := apiCall(t, a.base, token, "GET", api, "")
	if stats, _ := got["stats"].(map[string]any); code != http.StatusOK || stats["total"] != 0.0 || got["audience"] != 1.0 {
		t.Fatalf("GET %s = %d %v, want stats.total 0 and audience 1", api, code, got)
	}

	// Sent, its one delivery made, then cancelled: midway.
	midway, midAPI := createCampaign(t, a, token, `{"subject":"Now","body":"Hi","lists":["news"]}`)
	if code, got := apiCall(t, a.base, token, "POST", midAPI+"/send", ""); code != http.StatusOK {
		t.Fatalf("send = %d %v", code, got)
	}
	id, _ := parseID(strings.TrimPrefix(midAPI, "/api/v1/campaigns/"))
	task, _ := queue.NewFanoutTask(id, 0)
	if err := s.Campaigns.HandleFanout(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if code, got := apiCall(t, a.base, token, "POST", midAPI+"/cancel", ""); code != http.StatusOK {
		t.Fatalf("cancel the sending campaign = %d %v", code, got)
	}

	resp, body := a.get(never)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", never, resp.StatusCode)
	}
	card := progressCard(body)
	when := regexp.MustCompile(`<p id="when">(.*?)</p>`).FindStringSubmatch(card)
	if when == nil || !regexp.MustCompile(`^Cancelled [0-9]{1,2} [A-Z][a-z]+ 20[0-9]{2}, [0-9]{2}:[0-9]{2} UTC, before sending started: nothing was sent\. It would have gone to 1 reader\.$`).MatchString(textOf(when[1])) {
		t.Errorf("the page's line on when it was cancelled: %q, want it to say nothing was sent, and to whom it would have gone", when)
	}
	text := textOf(card)
	for _, bad := range []string{"0 of 1 sent", "not sent", "never queued", "queued", "skipped", "Cancelled before any mail went out"} {
		if strings.Contains(text, bad) {
			t.Errorf("the page of a campaign that never started says %q:\n%s", bad, text)
		}
	}
	for _, id := range []string{"bar", "sent", "total", "not-sent", "rates"} {
		if strings.Contains(card, `id="`+id+`"`) {
			t.Errorf("the page of a campaign that never started has its %q element", id)
		}
	}
	if n := strings.Count(text, "nothing was sent"); n != 1 {
		t.Errorf("the page says %d times that nothing was sent, want once:\n%s", n, text)
	}

	_, midPage := a.get(midway)
	for _, want := range []string{`<strong id="sent">0</strong> of <strong id="total">1</strong> sent`, "Cancelled: <strong>1 reader</strong> not sent (skipped)."} {
		if !strings.Contains(midPage, want) {
			t.Errorf("the page of a campaign cancelled midway lacks %q:\n%s", want, progressCard(midPage))
		}
	}

	_, list := a.get("/admin/campaigns")
	_, dash := a.get("/admin")
	for name, body := range map[string]string{"campaigns list": list, "dashboard": dash} {
		if got, want := progressCellOf(body, never), `<span class="muted">nothing sent: cancelled before sending started</span>`; got != want {
			t.Errorf("the %s's progress of the campaign that never started: %q, want %q", name, got, want)
		}
	}
	for name, body := range map[string]string{"campaigns list": list, "dashboard": dash} {
		if got := textOf(progressCellOf(body, midway)); got != "0 of 1 sent · 1 not sent" {
			t.Errorf("the %s's progress of the campaign cancelled midway: %q, want the readers not sent too", name, got)
		}
	}
}
