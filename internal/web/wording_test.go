package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The same situation reads the same way on every endpoint: a list that
// is not there, no list chosen, a single object that is not there, a
// lifecycle step the campaign's status refuses. The codes and statuses
// are SPEC's; this is about the words.
func TestAPISameSituationSameWords(t *testing.T) {
	_, a, token := fullServer(t)
	_, sending := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi {{ .Name }}","lists":["news"]}`)
	if code, got := apiCall(t, a.base, token, "POST", sending+"/send", ""); code != http.StatusOK {
		t.Fatalf("send = %d %v", code, got)
	}
	id := strings.TrimPrefix(sending, "/api/v1/campaigns/")
	type answer struct {
		Status        int
		Code, Message string
		Fields        map[string]string
	}
	unknown := `there is no list "nope"`
	tests := []struct {
		method, path, body string
		want               answer
	}{
		// A list that is not there.
		{"POST", "/api/v1/subscriptions", `{"email":"reader@example.com","lists":["nope"]}`,
			answer{422, "validation", "", map[string]string{"lists": unknown}}},
		{"POST", "/api/v1/campaigns", `{"subject":"Hi","body":"Hello","lists":["nope"]}`,
			answer{422, "validation", "", map[string]string{"lists": unknown}}},
		{"GET", "/api/v1/subscribers?list=nope", "",
			answer{422, "validation", "", map[string]string{"list": unknown}}},
		{"POST", "/api/v1/digests/run", `{"list":"nope"}`,
			answer{404, "not_found", `There is no list "nope".`, nil}},
		// No list chosen.
		{"POST", "/api/v1/subscriptions", `{"email":"reader@example.com","lists":[]}`,
			answer{422, "validation", "", map[string]string{"lists": "choose at least one list"}}},
		{"POST", "/api/v1/campaigns", `{"subject":"Hi","body":"Hello","lists":[]}`,
			answer{422, "validation", "", map[string]string{"lists": "choose at least one list"}}},
		{"POST", "/api/v1/feeds", `{"url":"https://feeds.example/rss","list":""}`,
			answer{422, "validation", "", map[string]string{"list": "choose the list the feed's items go to"}}},
		// One object that is not there.
		{"GET", "/api/v1/campaigns/999", "", answer{404, "not_found", "There is no campaign 999.", nil}},
		{"PATCH", "/api/v1/feeds/999", `{"active":false}`, answer{404, "not_found", "There is no feed 999.", nil}},
		{"PATCH", "/api/v1/articles/999", `{"title":"Gone"}`, answer{404, "not_found", "There is no such article.", nil}},
		{"GET", "/api/v1/subscribers/999", "", answer{404, "not_found", "There is no such subscriber.", nil}},
		{"GET", "/api/v1/webhooks/999", "", answer{404, "not_found", "There is no webhook endpoint 999.", nil}},
		{"GET", "/api/v1/campaigns/999/report", "", answer{404, "not_found", "There is no such campaign.", nil}},
		{"GET", "/api/v1/lists/nope/report", "", answer{404, "not_found", `There is no list "nope".`, nil}},
		// A step the status refuses.
		{"POST", sending + "/send", "", answer{409, "conflict",
			"Campaign " + id + " is sending already; only a draft or a scheduled campaign can be sent.", nil}},
		{"POST", sending + "/resume", "", answer{409, "conflict",
			"Campaign " + id + " is sending already; only a paused campaign can be resumed.", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body, func(t *testing.T) {
			code, got := apiCall(t, a.base, token, tt.method, tt.path, tt.body)
			ans := answer{Status: code, Code: fmt_(got["error"])}
			if fields, ok := got["fields"].(map[string]any); ok && len(fields) > 0 {
				ans.Fields = map[string]string{}
				for k, v := range fields {
					ans.Fields[k] = fmt_(v)
				}
			} else {
				ans.Message = fmt_(got["message"])
			}
			if diff := cmp.Diff(tt.want, ans); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

// The edit and delete pages of a campaign that has been sent say so
// plainly, as the API's PATCH and DELETE do, not "is sent and has
// started".
func TestAdminCampaignPagesOfASentCampaign(t *testing.T) {
	_, a, db, token := campaignServerWithDB(t)
	a.login("correct horse battery")
	page, _ := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi {{ .Name }}","lists":["news"]}`)
	id := strings.TrimPrefix(page, "/admin/campaigns/")
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = CURRENT_TIMESTAMP, finished_at = CURRENT_TIMESTAMP WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{page + "/edit", "Campaign " + id + " has been sent already; only a draft or a scheduled campaign can be edited."},
		{page + "/delete", "Campaign " + id + " has been sent already; only a draft, a scheduled campaign or one cancelled before it started sending can be deleted."},
	} {
		resp, body := a.get(tt.path)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, tt.want) || strings.Contains(body, "is sent") {
			t.Errorf("GET %s = %d, want 409 saying %q:\n%s", tt.path, resp.StatusCode, tt.want, body)
		}
	}
}

// The lists page writes a digest's weekday as every other page does,
// with a capital: "weekly on Saturday", "round-up on Monday".
func TestAdminListsWeekdaysCapitalised(t *testing.T) {
	s, a := newAdminServer(t)
	ctx := context.Background()
	for _, l := range []*subscribers.List{
		{Slug: "saturday-brief", Name: "Saturday Brief", Digest: "weekly", DigestHour: 7, DigestWeekday: "saturday", Timezone: "UTC"},
		{Slug: "mornings", Name: "Mornings", Digest: "daily", DigestHour: 6, DigestWeekday: "monday", Timezone: "UTC"},
	} {
		if err := s.Subscribers.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	a.login("correct horse battery")
	_, body := a.get("/admin/lists")
	for _, want := range []string{"weekly on Saturday at 07:00 UTC", "(round-up on Monday)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the lists page lacks %q:\n%s", want, body)
		}
	}
	if m := regexp.MustCompile(`on (monday|saturday)`).FindString(body); m != "" {
		t.Errorf("the lists page writes %q in lower case", m)
	}
}

// Admin pages write a plain date as "3 December 2026" and a moment as
// "3 December 2026, 10:00 UTC": never "3 Dec 2026" beside it, nor an ISO
// date.
func TestAdminDatesOneStyle(t *testing.T) {
	s, a := newAdminServer(t)
	ctx := context.Background()
	published := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	if _, err := s.Articles.Save(ctx, &articles.Article{Title: "Ferry timetable", URL: "https://news.example/ferry", PublishedAt: published}); err != nil {
		t.Fatal(err)
	}
	if err := s.Events.Suppress(ctx, "gone@example.com", "manual", "admin"); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	if resp := a.post("/admin/team/invites", url.Values{"csrf": {a.csrfOf("/admin/team")}, "email": {"bea@example.com"}}); resp.StatusCode >= 400 {
		t.Fatalf("invite = %d", resp.StatusCode)
	}
	moment := regexp.MustCompile(`\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}, \d\d:\d\d UTC\b`)
	other := regexp.MustCompile(`>[^<]*(\d{4}-\d\d-\d\d|\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b)[^<]*<`)
	for _, page := range []string{"/admin/articles", "/admin/suppressions", "/admin/team"} {
		_, body := a.get(page)
		if !moment.MatchString(body) {
			t.Errorf("%s shows no moment like 26 November 2026, 10:00 UTC:\n%s", page, body)
		}
		if m := other.FindString(body); m != "" {
			t.Errorf("%s writes a date another way: %s", page, m)
		}
	}
	if _, body := a.get("/admin/articles"); !strings.Contains(body, "26 November 2026, 10:00 UTC") {
		t.Errorf("the articles page lacks the article's time, 26 November 2026, 10:00 UTC:\n%s", body)
	}
}

// A setup or invite form posted without its security token gets the
// admin's "This form has expired" page, as every other admin form does,
// linking back to where a fresh form is, not a line of plain text.
func TestSetupAndInviteFormsExpiredPage(t *testing.T) {
	_, _, setup := newSetupServer(t)
	_, a := newAdminServer(t)
	tests := []struct {
		name        string
		post        func() (*http.Response, string)
		back, label string
	}{
		{"setup", func() (*http.Response, string) {
			c := &setupClient{t: t, h: setup, peer: loopbackPeer, host: localHost}
			return c.do("POST", "/admin/setup", setupForm("stale", ""))
		}, "/admin/setup", "Back to the setup page"},
		{"invite", func() (*http.Response, string) {
			return send(t, a, "POST", "/admin/invite/some-token", nil, url.Values{"csrf": {"stale"}, "password": {"a long passphrase"}, "password2": {"a long passphrase"}})
		}, "/admin/invite/some-token", "Back to the invite page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := tt.post()
			if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("= %d %s, want a 403 page:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			for _, want := range []string{
				"<h1>This form has expired</h1>",
				"the form is missing its security token or it has expired",
				fmt.Sprintf(`<a href="%s">%s</a>`, tt.back, tt.label),
			} {
				if !strings.Contains(body, want) {
					t.Errorf("lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, `href="/admin/subscribers"`) {
				t.Error("the page shows the admin's menu to someone not logged in")
			}
		})
	}
}
