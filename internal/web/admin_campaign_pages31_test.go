package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// pages31Server is campaignServer (list news, "News", with ada) with two
// more lists, sport ("Sport & Leisure") and tech ("Tech"), each with a
// confirmed reader, the admin logged in.
func pages31Server(t *testing.T) (*Server, *adminClient, *sqlite.DB, string) {
	t.Helper()
	s, a, _, db, token := newCampaignServer(t)
	ctx := context.Background()
	for _, l := range []subscribers.List{{Slug: "sport", Name: "Sport & Leisure", Public: true}, {Slug: "tech", Name: "Tech", Public: true}} {
		if err := s.Subscribers.CreateList(ctx, &l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: l.Slug + "@example.com", Status: "confirmed", Lists: []string{l.Slug}}); err != nil {
			t.Fatal(err)
		}
	}
	a.login("correct horse battery")
	return s, a, db, token
}

// rowOf is the campaigns list's (or the dashboard's) row of page.
func rowOf(body, page string) string {
	return regexp.MustCompile(`<a href="` + page + `">.*?</tr>`).FindString(body)
}

// A sent campaign's page says when its sending started and finished, and
// the campaigns list says which date it shows: when a scheduled campaign
// goes out, when one was sent, when a draft was created. The phone layout
// labels the column the same.
func TestCampaignPages31SayWhenSent(t *testing.T) {
	_, a, db, token := pages31Server(t)
	draft, _ := createCampaign(t, a, token, `{"subject":"Draft","body":"Hi","lists":["news"]}`)
	later, _ := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	sent, _ := createCampaign(t, a, token, `{"subject":"Sent","body":"Hi","lists":["news"]}`)
	other, _ := createCampaign(t, a, token, `{"subject":"Slow","body":"Hi","lists":["news"]}`)
	started := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	for page, finished := range map[string]time.Time{sent: started.Add(5 * time.Minute), other: started.Add(26 * time.Hour)} {
		if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = ?, finished_at = ? WHERE id = ?`,
			started, finished, strings.TrimPrefix(page, "/admin/campaigns/")); err != nil {
			t.Fatal(err)
		}
	}

	for page, want := range map[string]string{
		sent:  `Sending started <time datetime="2026-11-02T08:00:00Z">2 November 2026, 08:00 UTC</time>; finished at <time datetime="2026-11-02T08:05:00Z">08:05 UTC</time>.`,
		other: `Sending started <time datetime="2026-11-02T08:00:00Z">2 November 2026, 08:00 UTC</time>; finished <time datetime="2026-11-03T10:00:00Z">3 November 2026, 10:00 UTC</time>.`,
	} {
		if _, body := a.get(page); !strings.Contains(body, want) {
			t.Errorf("%s does not say when it was sent, %q:\n%s", page, want, progressCard(body))
		}
	}
	_, list := a.get("/admin/campaigns")
	if !strings.Contains(list, "<th>Date</th>") || strings.Contains(list, "Created</th>") {
		t.Errorf("the date column is not headed Date:\n%s", list)
	}
	// A draft's row names the minute it was made, which the test reads
	// from the clock: any minute of today's date is taken.
	for page, want := range map[string]string{
		draft: `Created ` + regexp.QuoteMeta(time.Now().UTC().Format("2 January 2006")) + `, \d\d:\d\d UTC`,
		later: `Scheduled for 1 January 2099, 09:00 UTC`,
		sent:  `Sent 2 November 2026, 08:00 UTC`,
	} {
		if row := rowOf(list, page); !regexp.MustCompile(`<td class="muted" data-label="Date">` + want + `</td>`).MatchString(row) {
			t.Errorf("the list's row of %s does not say %q:\n%s", page, want, row)
		}
	}
}

// The campaign page, the campaigns list and the dashboard name a
// campaign's lists by their names, the slug kept for a tooltip, never a
// slug alone; a campaign whose lists were all deleted says so rather than
// showing nothing.
func TestCampaignPages31NameLists(t *testing.T) {
	s, a, db, token := pages31Server(t)
	page, _ := createCampaign(t, a, token, `{"subject":"Both","body":"Hi","lists":["news","sport"]}`)
	orphan, _ := createCampaign(t, a, token, `{"subject":"Orphan","body":"Hi","lists":["tech"]}`)
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = CURRENT_TIMESTAMP, finished_at = CURRENT_TIMESTAMP WHERE id = ?`,
		strings.TrimPrefix(orphan, "/admin/campaigns/")); err != nil {
		t.Fatal(err)
	}
	if err := s.Subscribers.DeleteList(context.Background(), "tech"); err != nil {
		t.Fatal(err)
	}
	badges := `<span class="badge" title="news">News</span> <span class="badge" title="sport">Sport &amp; Leisure</span>`
	_, campaign := a.get(page)
	_, list := a.get("/admin/campaigns")
	_, dash := a.get("/admin")
	for name, html := range map[string]string{"campaign page": campaign, "campaigns list": rowOf(list, page), "dashboard": rowOf(dash, page)} {
		if !strings.Contains(html, badges) || strings.Contains(html, `">news</span>`) || strings.Contains(html, `">sport</span>`) {
			t.Errorf("the %s does not name the lists News and Sport & Leisure:\n%s", name, html)
		}
	}
	if _, body := a.get(orphan); !strings.Contains(body, "none left: its lists were deleted") {
		t.Errorf("the page of a campaign whose list was deleted does not say so:\n%s", progressCard(body))
	}
	if row := rowOf(list, orphan); !strings.Contains(row, `<td data-label="Lists"><span class="muted">deleted</span></td>`) {
		t.Errorf("the list's row of a campaign whose list was deleted is empty:\n%s", row)
	}
}

// A list deleted between reading a campaign and naming its lists shows
// its slug, said to be deleted: never an empty badge.
func TestCampaignPages31DeletedListKeepsItsSlug(t *testing.T) {
	x := listIndex{"news": {Slug: "news", Name: "News"}, "sport": {Slug: "sport", Name: "Sport"}}
	got := x.labels([]string{"news", "gone", "sport"})
	want := []listLabel{{Slug: "news", Name: "News"}, {Slug: "gone", Name: "gone (deleted list)", Sep: ", "}, {Slug: "sport", Name: "Sport", Sep: " and "}}
	if len(got) != len(want) {
		t.Fatalf("labels = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("label %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// The send confirmation names the lists; "each once, however many of
// these lists they are on" is said only when there are several, their
// names joined as "A, B and C".
func TestCampaignPages31SendConfirmationNamesTheLists(t *testing.T) {
	_, a, _, token := pages31Server(t)
	for _, tt := range []struct{ lists, want string }{
		{`"news"`, `every confirmed reader of <strong title="news">News</strong>. Once it starts`},
		{`"news","sport"`, `every confirmed reader of <strong title="news">News</strong> and <strong title="sport">Sport &amp; Leisure</strong>, each once, however many of these lists they are on. Once`},
		{`"news","sport","tech"`, `every confirmed reader of <strong title="news">News</strong>, <strong title="sport">Sport &amp; Leisure</strong> and <strong title="tech">Tech</strong>, each once, however many`},
	} {
		page, _ := createCampaign(t, a, token, `{"subject":"Hi","body":"Hi","lists":[`+tt.lists+`]}`)
		resp, body := a.get(page + "/send")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, tt.want) {
			t.Errorf("the confirmation of a send to %s = %d, does not say %q:\n%s", tt.lists, resp.StatusCode, tt.want, body)
		}
	}
}

// scriptIDs are the element ids the campaign page's script looks up.
func scriptIDs(t *testing.T, page string) []string {
	t.Helper()
	script := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(layoutScriptFree(page))
	if script == nil {
		t.Fatalf("the campaign page has no script:\n%s", page)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`getElementById\("([a-z-]+)"\)`).FindAllStringSubmatch(script[1], -1) {
		ids = append(ids, m[1])
	}
	for _, m := range regexp.MustCompile(`\["([a-z", ]+)"\]\.forEach\(function \(k\) \{ document\.getElementById\(k\)`).FindAllStringSubmatch(script[1], -1) {
		ids = append(ids, strings.Split(m[1], `", "`)...)
	}
	return ids
}

// Before sending starts, a draft's and a scheduled campaign's pages say
// who it will go to (and when), with no progress or rates, which would
// read "0 of 12 sent" and "Bounce rate –". Once it sends, the progress is
// there as before, and in every status its script polls (scheduled, to
// reload once it starts, and sending) the page has each element it
// looks up.
func TestCampaignPages31BeforeSendingSayWhoItGoesTo(t *testing.T) {
	_, a, _, token := pages31Server(t)
	draft, _ := createCampaign(t, a, token, `{"subject":"Draft","body":"Hi","lists":["news","sport"]}`)
	later, laterAPI := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	for page, want := range map[string]string{
		draft: `<p id="reach">Will reach <strong>2 readers</strong> <span class="muted">(the confirmed readers of its lists, each once)</span></p>`,
		later: `<p id="reach">Scheduled for <strong>1 January 2099, 09:00 UTC</strong>. Will reach <strong>1 reader</strong> <span class="muted">(the confirmed readers of its list, as of now)</span></p>`,
	} {
		_, body := a.get(page)
		card := progressCard(body)
		if !strings.Contains(card, want) {
			t.Errorf("%s does not say %q:\n%s", page, want, card)
		}
		if pageSentRe.MatchString(card) || strings.Contains(card, "Bounces") || strings.Contains(card, `id="rates"`) || strings.Contains(card, "Report</a>") {
			t.Errorf("%s, not sent yet, shows progress or rates:\n%s", page, card)
		}
	}

	_, scheduled := a.get(later)
	for _, id := range scriptIDs(t, scheduled) {
		if !strings.Contains(scheduled, ` id="`+id+`"`) {
			t.Errorf("the scheduled campaign's page, which its script polls, has no #%s", id)
		}
	}
	if code, got := apiCall(t, a.base, token, "POST", laterAPI+"/send", ""); code != http.StatusOK {
		t.Fatalf("send = %d %v", code, got)
	}
	_, sending := a.get(later)
	if !strings.Contains(sending, `<strong id="sent">0</strong> of <strong id="total">1</strong> sent`) || !strings.Contains(sending, `<p id="rates">No bounces or complaints: nothing has been sent yet.</p>`) || strings.Contains(sending, `id="reach"`) {
		t.Errorf("the page of a campaign sending has no progress, or still says who it will go to:\n%s", progressCard(sending))
	}
	for _, id := range scriptIDs(t, sending) {
		if n := strings.Count(sending, ` id="`+id+`"`); n != 1 {
			t.Errorf("the sending campaign's page has %d #%s, want 1", n, id)
		}
	}
}

var pages31PhoneFrame = regexp.MustCompile(`<figure class="phone" style="margin:0;max-width:100%"><figcaption class="muted">(.*?)</figcaption><iframe sandbox title="Preview at phone width" srcdoc="[^"]*" style="([^"]*)"`)

// The phone preview shows the mail 390 px wide where that fits, and no
// wider than the screen where it does not: the frame may shrink (max-width)
// but is 390 px wide otherwise, on the campaign page and in the editor.
func TestCampaignPages31PhoneFrameFitsTheScreen(t *testing.T) {
	_, a, _, token := pages31Server(t)
	page, _ := createCampaign(t, a, token, `{"subject":"Hi","body":"Hello","lists":["news"]}`)
	_, campaign := a.get(page)
	form := url.Values{"csrf": {a.csrfOf(page + "/edit")}, "action": {"preview"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}}
	_, editor := a.postBody(page+"/edit", form)
	for name, body := range map[string]string{"campaign page": campaign, "editor preview": editor} {
		m := pages31PhoneFrame.FindStringSubmatch(body)
		if m == nil {
			t.Errorf("%s has no phone preview:\n%s", name, body)
			continue
		}
		if caption := m[1]; caption != `Phone · <span class="wide">390 px</span><span class="narrow">as wide as this screen</span>` {
			t.Errorf("%s: phone frame caption %q", name, caption)
		}
		if style := m[2]; !strings.Contains(style, "width:390px;max-width:calc(100% - 2px);") || !strings.Contains(style, "box-sizing:content-box") {
			t.Errorf("%s: phone frame style %q, want 390 px that shrinks to the screen", name, style)
		}
		if !strings.Contains(body, "@media (max-width:419px){figure.phone .wide{display:none}figure.phone .narrow{display:inline}}") {
			t.Errorf("%s: the caption does not say the frame is as wide as the screen where it shrinks", name)
		}
	}
}

// Send at is read in the time zone the editor picks or, left empty, in
// the zone the campaign's lists share (else UTC), stored in UTC, and the
// page shows it in the zone it was read in with UTC beside it; the edit
// form shows it back in that zone. An unknown zone, or a time the clocks skip,
// is a 422 naming the field, with everything typed kept.
func TestCampaignPages31SendAtInATimeZone(t *testing.T) {
	s, a, _, token := pages31Server(t)
	ny := "America/New_York"
	if _, err := s.Subscribers.UpdateList(context.Background(), "news", &subscribers.ListPatch{Timezone: &ny}); err != nil {
		t.Fatal(err)
	}
	csrf := a.csrfOf("/admin/campaigns/new")
	save := func(zone, sendAt string, lists ...string) (*http.Response, string) {
		return a.postBody("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Zoned"}, "body": {"Hello"},
			"lists": lists, "send_at": {sendAt}, "send_zone": {zone}})
	}
	for _, tt := range []struct {
		zone  string
		lists []string
		want  string // send_at in the API
		shown string
	}{
		{"", []string{"news"}, "2099-01-01T14:00:00Z", "1 January 2099, 09:00 America/New_York (14:00 UTC)"},
		{"Asia/Tokyo", []string{"news"}, "2099-01-01T00:00:00Z", "1 January 2099, 09:00 Asia/Tokyo (00:00 UTC)"},
		{"", []string{"news", "sport"}, "2099-01-01T09:00:00Z", "1 January 2099, 09:00 UTC"}, // sport is in UTC
	} {
		resp, _ := save(tt.zone, "2099-01-01T09:00", tt.lists...)
		page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		if resp.StatusCode != http.StatusSeeOther || page == "" {
			t.Fatalf("save in %q to %v = %d", tt.zone, tt.lists, resp.StatusCode)
		}
		if _, got := apiCall(t, a.base, token, "GET", "/api/v1/campaigns/"+strings.TrimPrefix(page, "/admin/campaigns/"), ""); got["send_at"] != tt.want {
			t.Errorf("09:00 in %q to %v is sent at %v, want %s", tt.zone, tt.lists, got["send_at"], tt.want)
		}
		if _, body := a.get(page); !strings.Contains(body, "Scheduled for <strong>"+tt.shown+"</strong>") {
			t.Errorf("09:00 in %q to %v: the page does not say scheduled for %q:\n%s", tt.zone, tt.lists, tt.shown, progressCard(body))
		}
		if tt.zone == "" && len(tt.lists) == 1 {
			_, edit := a.get(page + "/edit")
			if !strings.Contains(edit, `name="send_at" value="2099-01-01T09:00"`) || !strings.Contains(edit, `name="send_zone" value="America/New_York"`) {
				t.Errorf("the edit form does not show 09:00 America/New_York:\n%s", edit)
			}
		}
	}

	for _, tt := range []struct{ zone, sendAt, field, want string }{
		{"Mars/Olympus", "2099-01-01T09:00", "send_zone", `Use an IANA time zone name`},
		{"Local", "2099-01-01T09:00", "send_zone", `Use an IANA time zone name`},
		// A zone in other capitals is named as it is written.
		{"europe/paris", "2099-01-01T09:00", "send_zone", `Time zone names mind their capitals: write &#34;Europe/Paris&#34;`},
		{"", "2027-03-14T02:30", "send_at", "There is no 2027-03-14 02:30 in America/New_York: the clocks go forward then; choose another time."},
	} {
		before, _ := s.Campaigns.Recent(context.Background(), "", 100)
		resp, body := save(tt.zone, tt.sendAt, "news")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="error" id="`+tt.field+`-error">`+tt.want) ||
			!strings.Contains(body, `id="`+tt.field+`"`) || !strings.Contains(body, `aria-describedby="`+tt.field+`-error"`) {
			t.Errorf("zone %q, send at %q = %d, want 422 saying %q by the field:\n%s", tt.zone, tt.sendAt, resp.StatusCode, tt.want, body)
		}
		for _, kept := range []string{`name="subject" value="Zoned"`, `name="send_at" value="` + tt.sendAt + `"`, `name="send_zone" value="` + tt.zone + `"`, `value="news" checked`} {
			if !strings.Contains(body, kept) {
				t.Errorf("zone %q, send at %q: the form lost %s", tt.zone, tt.sendAt, kept)
			}
		}
		if after, _ := s.Campaigns.Recent(context.Background(), "", 100); len(after) != len(before) {
			t.Errorf("zone %q, send at %q made a campaign", tt.zone, tt.sendAt)
		}
	}
}
