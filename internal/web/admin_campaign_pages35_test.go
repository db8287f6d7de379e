package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// An unknown time zone on the campaign form no longer hides the form's
// other mistakes: a subject and a preheader too long, a body naming a
// field that is not one and no list are all said at once, with the
// zone's, on the new form and on the edit form, and nothing is saved.
// A time past in every zone is said to be past too, with the zone's
// fault: it was not, and the editor who fixed the zone learnt of the
// date one save later. Only the zone's fault showed, the others one save
// later each.
func TestCampaignForm35SaysEveryMistakeWithABadZone(t *testing.T) {
	s, a, _, token := pages31Server(t)
	draft, _ := createCampaign(t, a, token, `{"subject":"Kept","body":"Hello","lists":["news"]}`)
	form := url.Values{"action": {"save"}, "subject": {strings.Repeat("s", 400)}, "preheader": {strings.Repeat("p", 400)},
		"body": {"Hello {{ .Nmae }}"}, "send_at": {"2020-01-01T09:00"}, "send_zone": {"Nowhere/Land"}}
	for _, page := range []string{"/admin/campaigns/new", draft + "/edit"} {
		form.Set("csrf", a.csrfOf(page))
		action := "/admin/campaigns"
		if page != "/admin/campaigns/new" {
			action = draft + "/edit"
		}
		before, _ := s.Campaigns.Recent(context.Background(), "", 100)
		resp, body := a.postBody(action, form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: save = %d, want 422:\n%s", page, resp.StatusCode, body)
		}
		for _, want := range []string{
			"Keep the subject to at most 200 characters.",
			"Keep the preheader to at most 150 characters.",
			"</textarea>\n<p class=\"error\" id=\"body-error\">",
			"Choose at least one list.",
			`<p class="error" id="send_zone-error">Use an IANA time zone name`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the form does not say %q", page, want)
			}
		}
		if !strings.Contains(body, `<p class="error" id="send_at-error">Choose a time from now on: this one is in the past in every time zone.`) {
			t.Errorf("%s: the form does not say that 2020-01-01 09:00 is past in every zone", page)
		}
		after, _ := s.Campaigns.Recent(context.Background(), "", 100)
		if len(after) != len(before) {
			t.Errorf("%s: the refused form made a campaign", page)
		}
	}
	if _, got := apiCall(t, a.base, token, "GET", "/api/v1/campaigns/"+strings.TrimPrefix(draft, "/admin/campaigns/"), ""); got["subject"] != "Kept" || got["send_at"] != nil {
		t.Errorf("the refused edit changed the draft: %v", got)
	}
}

// The campaigns list and the edit form show a scheduled time in its zone
// with UTC beside it, as the campaign's page does and the README says:
// the list said the zone's time alone, the edit form no UTC at all.
func TestCampaignPages35ShowUTCBesideTheZone(t *testing.T) {
	s, a, _, _ := pages31Server(t)
	paris := "Europe/Paris"
	if _, err := s.Subscribers.UpdateList(context.Background(), "news", &subscribers.ListPatch{Timezone: &paris}); err != nil {
		t.Fatal(err)
	}
	resp, _ := a.postBody("/admin/campaigns", url.Values{"csrf": {a.csrfOf("/admin/campaigns/new")}, "action": {"save"},
		"subject": {"Advent"}, "body": {"Hello"}, "lists": {"news"}, "send_at": {"2099-12-24T09:00"}})
	page, _, _ := strings.Cut(resp.Header.Get("Location"), "?")
	if resp.StatusCode != http.StatusSeeOther || page == "" {
		t.Fatalf("save = %d", resp.StatusCode)
	}
	const shown = "24 December 2099, 09:00 Europe/Paris (08:00 UTC)"
	if _, body := a.get(page); !strings.Contains(body, "Scheduled for <strong>"+shown+"</strong>") {
		t.Errorf("the campaign's page does not say %q", shown)
	}
	_, list := a.get("/admin/campaigns")
	if row := rowOf(list, page); !strings.Contains(row, `<td class="muted" data-label="Date">Scheduled for `+shown+`</td>`) {
		t.Errorf("the list's row does not say %q:\n%s", shown, row)
	}
	_, edit := a.get(page + "/edit")
	if !strings.Contains(edit, `<p class="muted" id="send_at-utc" style="margin:4px 0 0">That is `+shown+`.</p>`) {
		t.Errorf("the edit form does not say %q:\n%s", shown, edit)
	}
	// A time in UTC says so once; a time the clocks skip is not one.
	for sendAt, want := range map[string]string{"2099-12-24T09:00": "That is 24 December 2099, 09:00 UTC.", "2099-03-29T02:30": ""} {
		zone := "UTC"
		if want == "" {
			zone = paris
		}
		_, body := a.postBody(page+"/edit", url.Values{"csrf": {a.csrfOf(page + "/edit")}, "action": {"preview"},
			"subject": {"Advent"}, "body": {"Hello"}, "lists": {"news"}, "send_at": {sendAt}, "send_zone": {zone}})
		got := regexp.MustCompile(`id="send_at-utc"[^>]*>([^<]*)<`).FindStringSubmatch(body)
		switch {
		case want == "" && got != nil:
			t.Errorf("%s in %s: the form says %q of a time that is not", sendAt, zone, got[1])
		case want != "" && (got == nil || got[1] != want):
			t.Errorf("%s in %s: the form says %v, want %q", sendAt, zone, got, want)
		}
	}
}

// The report of a list of one digest says "1 digest", not "1 digests";
// of a list with none, that it sent none, not "the list's 0 digests".
func TestListReport35CountsItsDigests(t *testing.T) {
	a, _, _ := reportServer(t)
	a.login("correct horse battery")
	if _, body := a.get("/admin/lists/news/report"); !strings.Contains(body, "The articles of the list's 1 digest of the last 30 days") {
		t.Errorf("the report does not count its one digest:\n%s", body)
	}
	_, a, db := newReportAdmin(t)
	a.login("correct horse battery")
	execer(t, db)(`INSERT INTO lists (slug, name, created_at) VALUES ('quiet', 'Quiet', ?)`, sqlite.Now())
	_, body := a.get("/admin/lists/quiet/report?days=7")
	if !strings.Contains(body, "The list sent no digest in the last 7 days") || strings.Contains(body, "0 digests") || strings.Contains(body, "Readers adds up") {
		t.Errorf("the report of a list without digests:\n%s", body)
	}
}

// The digest send page says since when it takes articles in the list's
// zone, as it gives the schedule and the articles' dates: it said UTC
// among times in CET.
func TestDigestSendPage35SaysTimesInTheListsZone(t *testing.T) {
	_, a, _ := newDigestAdminDB(t)
	_, body := a.get("/admin/digests/weekend/run") // Europe/Paris
	since := regexp.MustCompile(`published since ([^.<]*)`).FindStringSubmatch(body)
	if since == nil || !regexp.MustCompile(`^\d{1,2} \w+ \d{4}, \d\d:\d\d CES?T$`).MatchString(since[1]) {
		t.Errorf("the weekend digest takes articles published since %v, want a time in Paris:\n%s", since, body)
	}
	if !regexp.MustCompile(`Market day</a><br><span class="muted" style="font-size:.85rem">[^<]* CES?T ·`).MatchString(body) {
		t.Errorf("the article's date is not in Paris either:\n%s", body)
	}
}
