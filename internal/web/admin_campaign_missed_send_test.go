package web

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A scheduled campaign whose list has no confirmed reader at its time is
// not sent but made a draft again. Only the log said so: its page, the
// campaigns list and the dashboard showed "draft … Created …". They now
// say it was scheduled for that time, in its list's zone, and not sent
// as it would have reached nobody, and the API gives the time. Its page
// says that it reaches no one once, not "Reaches no one: This campaign
// would reach nobody: …". A draft never scheduled says none of it.
func TestScheduledCampaignToNobodySaysWhyItIsADraft(t *testing.T) {
	s, a, db, token := campaignServerWithDB(t)
	a.login("correct horse battery")
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "quiet", Name: "Quiet", Timezone: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	page, api := createCampaign(t, a, token, `{"subject":"To nobody","body":"Hi","lists":["quiet"],"send_at":"2099-01-01T09:00:00Z"}`)
	plain, _ := createCampaign(t, a, token, `{"subject":"Never scheduled","body":"Hi","lists":["quiet"]}`)
	id, _ := parseID(strings.TrimPrefix(api, "/api/v1/campaigns/"))

	// Its time comes: the start task runs.
	at := time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	if _, err := db.Write.Exec(`UPDATE campaigns SET send_at = ?, send_zone = '' WHERE id = ?`, at, id); err != nil {
		t.Fatal(err)
	}
	task, _ := queue.NewStartTask(id, at)
	if err := s.Campaigns.HandleFanout(context.Background(), task); err != nil {
		t.Fatal(err)
	}

	code, raw := callDocumented(t, a, token, "GET", api, "")
	var c struct {
		Status       string     `json:"status"`
		SendAt       *time.Time `json:"send_at"`
		MissedSendAt *time.Time `json:"missed_send_at"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || code != http.StatusOK || c.Status != "draft" || c.SendAt != nil || c.MissedSendAt == nil || !c.MissedSendAt.Equal(at) {
		t.Fatalf("GET %s = %d %s, want a draft without send_at, missed_send_at %s", api, code, raw, at.Format(time.RFC3339))
	}

	when := "1 March 2021, 10:00 Europe/Paris (09:00 UTC)"
	resp, body := a.get(page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", page, resp.StatusCode)
	}
	card := progressCard(body)
	missed := regexp.MustCompile(`<p id="missed">(.*?)</p>`).FindStringSubmatch(card)
	if want := "Not sent: it was scheduled for " + when + ", when it would have reached nobody, so it is a draft again."; missed == nil || textOf(missed[1]) != want {
		t.Errorf("the draft's page says of its time %q, want %q", missed, want)
	}
	reach := regexp.MustCompile(`<p id="reach">(.*?)</p>`).FindStringSubmatch(card)
	if want := "Reaches no one: its list has no confirmed reader. Edit it to choose other lists, or wait until readers confirm."; reach == nil || textOf(reach[1]) != want {
		t.Errorf("the draft's page says of its audience %q, want %q", reach, want)
	}

	_, list := a.get("/admin/campaigns")
	row := regexp.MustCompile(`<a href="` + page + `">.*?</tr>`).FindString(list)
	date := regexp.MustCompile(`<td class="muted" data-label="Date">(.*?)</td>`).FindStringSubmatch(row)
	if want := "Scheduled for " + when + ", not sent: it would have reached nobody"; date == nil || date[1] != want {
		t.Errorf("the campaigns list dates the draft %q, want %q", date, want)
	}
	_, dash := a.get("/admin")
	if got := textOf(progressCellOf(dash, page)); got != "to 0 readers · not sent at its time: it would have reached nobody" {
		t.Errorf("the dashboard's progress of the draft: %q", got)
	}

	_, other := a.get(plain)
	plainRow := regexp.MustCompile(`<a href="` + plain + `">.*?</tr>`).FindString(list)
	if strings.Contains(other, `id="missed"`) || strings.Contains(plainRow, "not sent") || !strings.Contains(plainRow, "Created ") ||
		strings.Contains(progressCellOf(dash, plain), "not sent") {
		t.Errorf("a draft never scheduled is said not sent: its page %q, its row %s", regexp.MustCompile(`<p id="missed">.*?</p>`).FindString(other), plainRow)
	}
}
