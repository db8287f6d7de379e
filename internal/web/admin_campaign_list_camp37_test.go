package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// A campaign that would reach no one offers no Send now, and says why;
// the copy a Duplicate makes is told where its form is; the Cancel
// confirmation says a cancelled campaign can only be duplicated; and one
// cancelled before it sent anything links to no report.
func TestCampaignPageOffersOnlyWhatWorks_camp37(t *testing.T) {
	a, _, _, token := camp37Server(t, nil)
	nobody, _ := createCampaign(t, a, token, `{"subject":"To nobody","body":"Hi","lists":["empty"]}`)
	_, body := a.get(nobody)
	if strings.Contains(body, `href="`+nobody+`/send"`) || !strings.Contains(textOf(progressCard(body)), "Reaches no one") {
		t.Errorf("a campaign to nobody offers Send now, or does not say it reaches no one:\n%s", progressCard(body))
	}
	someone, _ := createCampaign(t, a, token, `{"subject":"To news","body":"Hi","lists":["news"]}`)
	if _, body := a.get(someone); !strings.Contains(body, `href="`+someone+`/send"`) {
		t.Errorf("a campaign to one reader offers no Send now:\n%s", progressCard(body))
	}

	resp := a.post(someone+"/duplicate", url.Values{"csrf": {a.csrfOf(someone)}})
	_, body = a.get(resp.Header.Get("Location"))
	flash := regexp.MustCompile(`<div class="flash"[^>]*>([^<]*)</div>`).FindStringSubmatch(body)
	if flash == nil || strings.Contains(flash[1], "below:") || strings.Contains(flash[1], "edit it below") || !strings.Contains(flash[1], "Edit button") {
		t.Errorf("the copy's banner points to a form below the page, which has none: %v", flash)
	}

	later, _ := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	_, body = a.get(later)
	confirm := regexp.MustCompile(`onsubmit="return confirm\(([^)]*)\)"`).FindStringSubmatch(body)
	if confirm == nil || !strings.Contains(confirm[1], "only be duplicated") {
		t.Errorf("the Cancel confirmation does not say the campaign can then only be duplicated: %v", confirm)
	}
	if resp := a.post(later+"/cancel", url.Values{"csrf": {a.csrfOf(later)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel = %d", resp.StatusCode)
	}
	if _, body := a.get(later); strings.Contains(body, later+`/report"`) {
		t.Errorf("a campaign cancelled before it sent anything links to its empty report:\n%s", progressCard(body))
	}
}

// The campaigns list colours each status as the readers' are coloured,
// and its dates have their time.
func TestCampaignListColoursAndTimes_camp37(t *testing.T) {
	a, _, db, token := camp37Server(t, nil)
	draft, _ := createCampaign(t, a, token, `{"subject":"Draft","body":"Hi","lists":["news"]}`)
	later, _ := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	sent, _ := createCampaign(t, a, token, `{"subject":"Sent","body":"Hi","lists":["news"]}`)
	gone, _ := createCampaign(t, a, token, `{"subject":"Gone","body":"Hi","lists":["news"]}`)
	started := time.Date(2026, 11, 2, 8, 5, 0, 0, time.UTC)
	for page, status := range map[string]string{sent: "sent", gone: "cancelled"} {
		if _, err := db.Write.Exec(`UPDATE campaigns SET status = ?, started_at = ?, finished_at = ? WHERE id = ?`,
			status, started, started.Add(time.Hour), strings.TrimPrefix(page, "/admin/campaigns/")); err != nil {
			t.Fatal(err)
		}
	}
	_, list := a.get("/admin/campaigns")
	if !strings.Contains(list, ".status-confirmed{") {
		t.Errorf("the campaigns list has not the status colours")
	}
	for page, want := range map[string]string{
		draft: `<span class="badge status">draft</span>`,
		later: `<span class="badge status status-pending">scheduled</span>`,
		sent:  `<span class="badge status status-confirmed">sent</span>`,
		gone:  `<span class="badge status status-bounced">cancelled</span>`,
	} {
		if row := rowOf(list, page); !strings.Contains(row, want) {
			t.Errorf("the row of %s has not %s:\n%s", page, want, row)
		}
	}
	created := regexp.MustCompile(`>Created \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC</td>`)
	for page, want := range map[string]string{sent: ">Sent 2 November 2026, 08:05 UTC</td>", gone: ">Cancelled 2 November 2026, 09:05 UTC</td>"} {
		if row := rowOf(list, page); !strings.Contains(row, want) {
			t.Errorf("the row of %s does not say %q:\n%s", page, want, row)
		}
	}
	if row := rowOf(list, draft); !created.MatchString(row) {
		t.Errorf("the draft's row does not say when it was created, to the minute:\n%s", row)
	}
}

// The body's hint says how to break a line, and the way it gives, a
// backslash at the end of the line, breaks it in the mail's HTML and its
// text part alike.
func TestCampaignFormSaysHowToBreakALine_camp37(t *testing.T) {
	a, out, _, token := camp37Server(t, nil)
	_, body := a.get("/admin/campaigns/new")
	hint := regexp.MustCompile(`<p class="muted" id="body-lines"[^>]*>(.*?)</p>`).FindStringSubmatch(body)
	if hint == nil || !strings.Contains(hint[1], "backslash <code>\\</code>") || !strings.Contains(hint[1], "blank line") || !strings.Contains(body, `aria-describedby="body-lines"`) {
		t.Fatalf("the body's hint does not say how to break a line:\n%v", hint)
	}
	page, _ := createCampaign(t, a, token, `{"subject":"Sign-off","body":"Thanks for reading.\n\nSee you next week,\\\nThe editors","lists":["news"]}`)
	if resp := a.post(page+"/test", url.Values{"csrf": {a.csrfOf(page)}, "to": {"ed@example.com"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("test send = %d", resp.StatusCode)
	}
	names, _ := out.List(0)
	if len(names) != 1 {
		t.Fatalf("%d mails in the outbox, want 1", len(names))
	}
	raw, err := out.Read(names[0])
	if err != nil {
		t.Fatal(err)
	}
	m := mailtest.Parse(t, raw)
	if !regexp.MustCompile(`See you next week,<br>\s*The editors`).MatchString(m.HTML) {
		t.Errorf("the HTML part does not break the line:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, "See you next week,\nThe editors") {
		t.Errorf("the text part does not break the line:\n%s", m.Text)
	}
}
