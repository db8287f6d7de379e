package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

var (
	formInput    = regexp.MustCompile(`<input\b[^>]*>`)
	formTextarea = regexp.MustCompile(`(?s)<textarea\b[^>]*\bname="([^"]*)"[^>]*>(.*?)</textarea>`)
	formAttr     = regexp.MustCompile(`\b(name|value|type)="([^"]*)"`)
)

// postedAsShown is what a browser posts of body's POST form to action,
// saved untouched: its inputs (a box only when ticked) and textareas.
func postedAsShown(t *testing.T, body, action string) url.Values {
	t.Helper()
	start := strings.Index(body, `<form method="post" action="`+action+`"`)
	if start < 0 {
		t.Fatalf("no form to %s in:\n%s", action, body)
	}
	end := strings.Index(body[start:], "</form>")
	form := body[start : start+end]
	v := url.Values{}
	for _, in := range formInput.FindAllString(form, -1) {
		attrs := map[string]string{}
		for _, m := range formAttr.FindAllStringSubmatch(in, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
		}
		if attrs["name"] == "" || attrs["type"] == "submit" || (attrs["type"] == "checkbox" && !strings.Contains(in, " checked")) {
			continue
		}
		v.Add(attrs["name"], attrs["value"])
	}
	for _, m := range formTextarea.FindAllStringSubmatch(form, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// The article form shows the publish time in the zone of the article's
// lists, the one its digests' pages say their times in, and names it,
// where it said "Published at (UTC)" beside digests that said
// "…, 02:30 CEST"; the Articles page says the same time the same way.
// Saved untouched, the form keeps the instant stored, to the second and
// on a night the clocks go back (the first of two 02:30s), where it took
// the minute shown, read in UTC. A time typed is read in the zone named.
func TestArticleTimeInItsListsZoneKeptWhenSavedUntouched(t *testing.T) {
	ctx := context.Background()
	s, a := newAdminServer(t)
	for _, l := range []*subscribers.List{{Slug: "news", Name: "News", Timezone: "Europe/Berlin"}, {Slug: "ny", Name: "New York", Timezone: "America/New_York"}} {
		if err := s.Subscribers.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	// 02:30 CEST, the first 02:30 of the night Berlin leaves summer time.
	first := time.Date(2099, 10, 25, 0, 30, 37, 0, time.UTC)
	ar := &articles.Article{Title: "Clocks go back", URL: "https://news.example/clocks", PublishedAt: first, Lists: []string{"news"}}
	both := &articles.Article{Title: "Two zones", URL: "https://news.example/two", PublishedAt: first, Lists: []string{"news", "ny"}}
	for _, x := range []*articles.Article{ar, both} {
		if _, err := s.Articles.Save(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	a.login("correct horse battery")
	page := "/admin/articles/" + itoa(ar.ID)

	_, body := a.get(page)
	if !strings.Contains(body, `Published at (Europe/Berlin)`) || !strings.Contains(body, `value="2099-10-25T02:30"`) {
		t.Errorf("the form does not show the time in its list's zone, named (want 2099-10-25T02:30 under “Published at (Europe/Berlin)”):\n%s", body)
	}
	if !strings.Contains(body, "That is 25 October 2099, 00:30 UTC.") {
		t.Errorf("the form does not say the time in UTC, which tells which of two 02:30s it is:\n%s", body)
	}
	_, list := a.get("/admin/articles")
	if list = html.UnescapeString(list); !strings.Contains(list, "25 October 2099, 02:30 Europe/Berlin") || !strings.Contains(list, "25 October 2099, 00:30 UTC") {
		t.Errorf("the Articles page does not say the times in the articles' zones (Europe/Berlin; UTC for one on lists in two zones):\n%s", list)
	}

	form := postedAsShown(t, body, page)
	resp, got := a.do("POST", page, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the form untouched = %d:\n%s", resp.StatusCode, got)
	}
	stored, err := s.Articles.Get(ctx, ar.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.PublishedAt.Equal(first) {
		t.Errorf("saved untouched, the article's time moved from %s to %s", first, stored.PublishedAt.UTC())
	}

	form.Set("published_at", "2099-06-01T09:00")
	if resp, got := a.do("POST", page, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving a new time = %d:\n%s", resp.StatusCode, got)
	}
	if stored, _ = s.Articles.Get(ctx, ar.ID); !stored.PublishedAt.Equal(time.Date(2099, 6, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("09:00 typed in Europe/Berlin was stored as %s, want 07:00 UTC", stored.PublishedAt.UTC())
	}

	// A time the clocks skip is refused, not moved an hour on.
	form.Set("published_at", "2099-03-29T02:30")
	if resp, got := a.do("POST", page, form); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(html.UnescapeString(got), "There is no 2099-03-29 02:30 in Europe/Berlin: the clocks go forward then") {
		t.Errorf("02:30 the night Berlin's clocks go forward = %d, want 422 saying there is no such time:\n%s", resp.StatusCode, got)
	}
}

// A campaign scheduled through the API at the first of two identical
// local times (02:30 CEST, the night Berlin's clocks go back), its edit
// form saved untouched, keeps that instant: it moved to the second
// (02:30 CET, an hour later), which reading 02:30 again takes, though the
// form said it went at the first. A 02:30 typed anew is still the second.
func TestCampaignFormSavedUntouchedKeepsTheFirstOfTwoTimes(t *testing.T) {
	e := newZone32Env(t)
	e.setTZ("Europe/Berlin")
	first := time.Date(2099, 10, 25, 0, 30, 0, 0, time.UTC)
	page, _ := createCampaign(t, e.a, e.token, `{"subject":"Hi","body":"Hello","lists":["news"],"send_at":"2099-10-25T00:30:00Z"}`)
	_, body := e.a.get(page + "/edit")
	if b := html.UnescapeString(body); !strings.Contains(b, "the campaign goes at the first, 00:30 UTC") {
		t.Errorf("the edit form does not say the campaign goes at the first 02:30:\n%s", b)
	}
	form := postedAsShown(t, body, page+"/edit")
	form.Set("action", "save")
	if resp, got := e.a.do("POST", page+"/edit", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the form untouched = %d:\n%s", resp.StatusCode, got)
	}
	sendAt := func() time.Time {
		t.Helper()
		id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/admin/campaigns/"), 10, 64)
		c, err := e.s.Campaigns.Get(context.Background(), id)
		if err != nil || c.SendAt == nil {
			t.Fatalf("the campaign: %v", err)
		}
		return *c.SendAt
	}
	if got := sendAt(); !got.Equal(first) {
		t.Errorf("saved untouched, the campaign's send time moved from %s to %s", first, got.UTC())
	}
	_, body = e.a.get(page + "/edit")
	if b := html.UnescapeString(body); !strings.Contains(b, "the campaign goes at the first, 00:30 UTC") {
		t.Errorf("after the save the form no longer says the first 02:30:\n%s", b)
	}

	// The editor types the time again, another day then back: a time
	// typed is read as it always was, the second.
	form = postedAsShown(t, body, page+"/edit")
	form.Set("action", "save")
	form.Set("send_at", "2099-10-26T02:30")
	e.a.do("POST", page+"/edit", form)
	delete(form, "send_at_kept") // a form from the new campaign page
	form.Set("send_at", "2099-10-25T02:30")
	e.a.do("POST", page+"/edit", form)
	if got := sendAt(); !got.Equal(first.Add(time.Hour)) {
		t.Errorf("02:30 typed anew is %s, want the second, %s", got.UTC(), first.Add(time.Hour))
	}
}

// Times that belong to no list (a token's use, a suppression) are said
// in the publication's zone, the one every list shares, named, where
// they were said in UTC beside pages that said the lists' zone; with
// lists in two zones, in UTC, named. A campaign's creation is said in its
// send time's zone, its lists' (the campaigns list said it in UTC).
func TestAdminTimesInThePublicationZone(t *testing.T) {
	ctx := context.Background()
	e := newZone32Env(t)
	e.setTZ("Europe/Berlin")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if _, err := e.s.Admins.CreateToken(ctx, "shop-sync"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Events.Suppress(ctx, "gone@example.com", events.ReasonComplaint, "arf"); err != nil {
		t.Fatal(err)
	}
	page, _ := createCampaign(t, e.a, e.token, `{"subject":"Hi","body":"Hello","lists":["news"]}`)
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/admin/campaigns/"), 10, 64)
	c, err := e.s.Campaigns.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := e.s.Admins.ListTokens(ctx)
	if err != nil || len(tokens) == 0 {
		t.Fatalf("tokens: %v", err)
	}
	tk := tokens[len(tokens)-1]
	for _, tc := range []struct{ path, want string }{
		{"/admin/tokens", tk.CreatedAt.In(berlin).Format("2 January 2006</time>, 15:04") + " Europe/Berlin"},
		{"/admin/suppressions", "Europe/Berlin</td>"},
		{"/admin/campaigns", "Created " + c.CreatedAt.In(berlin).Format("2 January 2006, 15:04") + " Europe/Berlin"},
	} {
		if _, body := e.a.get(tc.path); !strings.Contains(body, tc.want) || strings.Contains(body, " UTC</td>") {
			t.Errorf("%s does not say its times in Europe/Berlin, the zone of every list (want %q):\n%s", tc.path, tc.want, body)
		}
	}

	// Lists in two zones: no zone is the publication's; UTC, named.
	if err := e.s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "ny", Name: "New York", Timezone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	if _, body := e.a.get("/admin/tokens"); !strings.Contains(body, tk.CreatedAt.UTC().Format("2 January 2006</time>, 15:04")+" UTC") {
		t.Errorf("with lists in two zones the tokens page does not say its times in UTC:\n%s", body)
	}
}
