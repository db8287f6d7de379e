package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// zone32Env is a campaign server whose list "news" is in Europe/London,
// logged in, with the new campaign form's CSRF token.
type zone32Env struct {
	s     *Server
	a     *adminClient
	db    *sqlite.DB
	token string
	csrf  string
	setTZ func(zone string)
}

func newZone32Env(t *testing.T) *zone32Env {
	t.Helper()
	s, a, db, token := campaignServerWithDB(t)
	e := &zone32Env{s: s, a: a, db: db, token: token, setTZ: func(zone string) {
		t.Helper()
		if _, err := db.Write.Exec(`UPDATE lists SET timezone = ? WHERE slug = 'news'`, zone); err != nil {
			t.Fatal(err)
		}
	}}
	e.setTZ("Europe/London")
	a.login("correct horse battery")
	_, body := a.get("/admin/campaigns/new")
	e.csrf = csrfField.FindStringSubmatch(body)[1]
	return e
}

// save posts the new campaign form, or the edit form of page, with a
// send time in zone, and returns the campaign's page.
func (e *zone32Env) save(t *testing.T, page, sendAt, zone string) string {
	t.Helper()
	action := "/admin/campaigns"
	if page != "" {
		action = page + "/edit"
	}
	resp := e.a.post(action, url.Values{"csrf": {e.csrf}, "action": {"save"}, "subject": {"Harbour news"}, "body": {"Hello"},
		"lists": {"news"}, "send_at": {sendAt}, "send_zone": {zone}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/campaigns/") {
		t.Fatalf("POST %s with %s in %q = %d to %q, want the campaign's page", action, sendAt, zone, resp.StatusCode, loc)
	}
	page, _, _ = strings.Cut(loc, "?")
	return page
}

var (
	zone32Scheduled = regexp.MustCompile(`Scheduled for <strong>([^<]*)</strong>`)
	zone32SendAt    = regexp.MustCompile(`<input id="send_at"[^>]* value="([^"]*)"`)
	zone32Zone      = regexp.MustCompile(`<input id="send_zone"[^>]* value="([^"]*)"`)
)

// shows is what the pages say of page's send time: the campaign's page,
// its row of the campaigns list, and the edit form's time and zone.
func (e *zone32Env) shows(t *testing.T, page string) []string {
	t.Helper()
	_, body := e.a.get(page)
	out := []string{"", "", "", ""}
	if m := zone32Scheduled.FindStringSubmatch(body); m != nil {
		out[0] = m[1]
	}
	_, list := e.a.get("/admin/campaigns")
	row := regexp.MustCompile(`<a href="` + page + `">.*?</tr>`).FindString(list)
	if m := regexp.MustCompile(`<td class="muted" data-label="Date">([^<]*)</td>`).FindStringSubmatch(row); m != nil {
		out[1] = m[1]
	}
	_, form := e.a.get(page + "/edit")
	if m := zone32SendAt.FindStringSubmatch(form); m != nil {
		out[2] = m[1]
	}
	if m := zone32Zone.FindStringSubmatch(form); m != nil {
		out[3] = m[1]
	}
	return out
}

// The time zone an editor schedules a campaign in is the one its page,
// the campaigns list and the edit form show the time in, whatever the
// zone of its lists: they showed it in the lists' zone, an hour the
// editor never typed. Saved again in another zone, the pages follow; an
// empty zone is the lists' own, kept even should the list move.
func TestScheduledTimeShownInTheZoneChosen(t *testing.T) {
	e := newZone32Env(t)
	for _, tc := range []struct {
		name, zone string
		want       []string
	}{
		{"Tokyo", "Asia/Tokyo", []string{"1 January 2099, 09:00 Asia/Tokyo (00:00 UTC)",
			"Scheduled for 1 January 2099, 09:00 Asia/Tokyo (00:00 UTC)", "2099-01-01T09:00", "Asia/Tokyo"}},
		{"New York", "America/New_York", []string{"1 January 2099, 09:00 America/New_York (14:00 UTC)",
			"Scheduled for 1 January 2099, 09:00 America/New_York (14:00 UTC)", "2099-01-01T09:00", "America/New_York"}},
		{"the lists' own", "", []string{"1 January 2099, 09:00 Europe/London (09:00 UTC)",
			"Scheduled for 1 January 2099, 09:00 Europe/London (09:00 UTC)", "2099-01-01T09:00", "Europe/London"}},
	} {
		page := e.save(t, "", "2099-01-01T09:00", tc.zone)
		if diff := cmp.Diff(tc.want, e.shows(t, page)); diff != "" {
			t.Errorf("scheduled at 09:00 in %s, the list in Europe/London: the page, the list, the edit form's time and zone (-want +got):\n%s", tc.name, diff)
		}
	}

	page := e.save(t, "", "2099-01-01T09:00", "Asia/Tokyo")
	page = e.save(t, page, "2099-06-01T20:30", "America/New_York")
	want := []string{"1 June 2099, 20:30 America/New_York (2 June 2099, 00:30 UTC)",
		"Scheduled for 1 June 2099, 20:30 America/New_York (2 June 2099, 00:30 UTC)", "2099-06-01T20:30", "America/New_York"}
	if diff := cmp.Diff(want, e.shows(t, page)); diff != "" {
		t.Errorf("edited to 20:30 in America/New_York (-want +got):\n%s", diff)
	}

	londoners := e.save(t, "", "2099-01-01T09:00", "")
	e.setTZ("Asia/Tokyo")
	if got := e.shows(t, londoners)[0]; got != "1 January 2099, 09:00 Europe/London (09:00 UTC)" {
		t.Errorf("scheduled in the list's Europe/London, the list since in Asia/Tokyo: the page says %q, want the time as typed", got)
	}
}

// A campaign scheduled without a zone (through the API, or before the
// zone was kept) shows its time in its lists' zone, as before; the API
// takes a zone too, as the document says, and refuses one that is not.
func TestAPISendZone(t *testing.T) {
	e := newZone32Env(t)
	page, _ := createCampaign(t, e.a, e.token, `{"subject":"Hi","body":"Hello","lists":["news"],"send_at":"2099-07-01T08:00:00Z"}`)
	if got := e.shows(t, page); got[0] != "1 July 2099, 09:00 Europe/London (08:00 UTC)" || got[3] != "Europe/London" {
		t.Errorf("scheduled by the API without a zone, the list in Europe/London: the page says %q, the edit form's zone %q; want the list's zone", got[0], got[3])
	}

	code, body := callDocumented(t, e.a, e.token, "POST", "/api/v1/campaigns", `{"subject":"Hi","body":"Hello","lists":["news"],"send_at":"2099-07-01T08:00:00Z","send_zone":"America/Chicago"}`)
	var c struct {
		ID       int64  `json:"id"`
		SendZone string `json:"send_zone"`
	}
	if err := json.Unmarshal(body, &c); err != nil || code != http.StatusCreated || c.SendZone != "America/Chicago" {
		t.Fatalf("create with a zone = %d %s, want 201 with it", code, body)
	}
	if got := e.shows(t, "/admin/campaigns/"+strconv.FormatInt(c.ID, 10))[0]; got != "1 July 2099, 03:00 America/Chicago (08:00 UTC)" {
		t.Errorf("scheduled by the API in America/Chicago: the page says %q", got)
	}
	code, body = callDocumented(t, e.a, e.token, "PATCH", "/api/v1/campaigns/"+strconv.FormatInt(c.ID, 10), `{"send_zone":"Asia/Kolkata"}`)
	if code != http.StatusOK || !strings.Contains(string(body), `"send_zone":"Asia/Kolkata"`) {
		t.Errorf("patch of the zone = %d %s", code, body)
	}
	code, body = callDocumented(t, e.a, e.token, "POST", "/api/v1/campaigns", `{"subject":"Hi","body":"Hello","lists":["news"],"send_at":"2099-07-01T08:00:00Z","send_zone":"Europe/Atlantis"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"send_zone"`) {
		t.Errorf("create with an unknown zone = %d %s, want 422 naming send_zone", code, body)
	}
}

// A scheduled campaign's page carries none of the progress's elements,
// which it does not show: its script writes to them only where they are.
func TestScheduledPageHasNoHiddenProgress(t *testing.T) {
	e := newZone32Env(t)
	_, body := e.a.get(e.save(t, "", "2099-01-01T09:00", ""))
	for _, id := range []string{"bar", "sent", "total", "queued", "waiting"} {
		if strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("the scheduled campaign's page has an element %q", id)
		}
	}
}

// In a real browser: sent from its page, a campaign's page says "Campaign
// is sending."; once it is sent, its script reloads the page, without
// that banner, which a sent campaign's page kept (the reload kept
// ?flash=sending).
func TestSentPageDropsTheSendingBannerInABrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newZone32Env(t)
	page, api := createCampaign(t, e.a, e.token, `{"subject":"Small news","body":"Hello","lists":["news"]}`)
	id, err := strconv.ParseInt(strings.TrimPrefix(api, "/api/v1/campaigns/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	ctx := pages31Browser(t, e.a)
	pages31Do(t, ctx, "send from the confirmation", chromedp.Navigate(e.a.base+page+"/send"),
		browsertest.WaitJS(`!!document.querySelector('form[action$="/send"] button')`, "the confirmation"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action$="/send"] button').click()`),
		browsertest.WaitJS(`!!document.querySelector(".flash") && document.getElementById("status").textContent === "sending"`, "the sending page"))
	banner := `(function(){var f=document.querySelector(".flash");return f?f.textContent:""})()`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](banner)); err != nil || got != "Campaign is sending." {
		t.Fatalf("after Send the banner says %q (%v), want it to say the campaign is sending", got, err)
	}

	// Its one reader is queued and sent; the campaign is sent, as the
	// record of the last delivery marks it.
	task, _ := queue.NewFanoutTask(id, 0)
	if err := e.s.Campaigns.HandleFanout(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, q := range []string{
		`UPDATE deliveries SET status = 'sent', sent_at = ?1, claimed_until = NULL WHERE campaign_id = ?2`,
		`UPDATE campaigns SET status = 'sent', finished_at = ?1, updated_at = ?1 WHERE id = ?2 AND fanout_done = 1`,
	} {
		if _, err := e.db.Write.Exec(q, now, id); err != nil {
			t.Fatal(err)
		}
	}
	// The script polls every 1.5 s: a page that has not reloaded in 20 s
	// never will.
	soon, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	pages31Do(t, soon, "the page reloaded once sent", browsertest.WaitJS(`document.getElementById("status").textContent === "sent" && /finished/.test(document.body.innerText)`, "the sent page"))
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[`+banner+`, location.pathname + location.search, document.getElementById("sent").textContent]`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"", page, "1"}, seen); diff != "" {
		t.Errorf("the sent campaign's page: its banner, its address, its sent count (-want +got):\n%s", diff)
	}
}
