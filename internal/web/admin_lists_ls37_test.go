package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

var (
	slugValue  = regexp.MustCompile(`<input id="slug" type="text" name="slug" value="([^"]*)"`)
	fieldError = func(field string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)<input id="` + field + `"[^>]*>\s*<p class="error"[^>]*>([^<]*)</p>`)
	}
)

// newListForm is the new-list form with name and slug, every other field
// as the page sends it, timezone refused when badZone.
func newListForm(csrf, name, slug string, badZone bool) url.Values {
	zone := "UTC"
	if badZone {
		zone = "Mars/Olympus_Mons"
	}
	return url.Values{"csrf": {csrf}, "name": {name}, "slug": {slug}, "description": {""}, "public": {"on"},
		"digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {zone}, "tracking": {"anonymous"}}
}

// A new list's slug left empty is made from the name it is created with:
// a form refused for another field comes back with the slug still empty,
// so renaming the list before sending it again makes the slug from the
// new name. It came back filled with the slug of the refused name, and
// the list was created with it.
func TestAdminNewListSlugLeftEmptyStaysEmptyLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	long := strings.Repeat("Harbour ", 37) + "News" // 300 characters
	for _, name := range []string{"Harbour Events", long} {
		resp, body := e.a.postBody("/admin/lists", newListForm(e.csrf, name, "", true))
		m := slugValue.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusUnprocessableEntity || m == nil || m[1] != "" {
			t.Errorf("%.20s… with a bad zone = %d, slug box %q; want 422 with the slug box empty:\n%s", name, resp.StatusCode, m, body)
		}
		if fieldError("slug").MatchString(body) {
			t.Errorf("%.20s…: the slug left empty has an error of its own:\n%s", name, body)
		}
	}
	resp := e.a.post("/admin/lists", newListForm(e.csrf, "City Events", "", false))
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/admin/lists/city-events" {
		t.Fatalf("the renamed list = %d to %q, want it created as city-events", resp.StatusCode, loc)
	}
	for _, slug := range []string{"harbour-events", subscribers.SlugFor(long)} {
		if _, err := e.store.ListBySlug(context.Background(), slug); err == nil {
			t.Errorf("a list %q was made from a name that was refused", slug)
		}
	}
}

// A new list whose slug another list has is told so with its other
// faults, in one round: the conflict came only once they were fixed. A
// slug made from the name that another list has is the slug field's
// fault too, worded for a field left empty. The form says each as a
// sentence. The API names them together as well, in its own words; a
// taken slug alone stays a conflict.
func TestAdminNewListTakenSlugWithTheOtherFaultsLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	resp, body := e.a.postBody("/admin/lists", newListForm(e.csrf, "Daily News Again", "daily-news", true))
	slugErr, zoneErr := fieldError("slug").FindStringSubmatch(body), strings.Contains(html.UnescapeString(body), "Use an IANA time zone name")
	if resp.StatusCode != http.StatusUnprocessableEntity || slugErr == nil || !zoneErr ||
		html.UnescapeString(slugErr[1]) != "Another list has this slug: choose another." {
		t.Errorf("a taken slug and a bad zone = %d, slug error %q, zone error %v; want 422 with both:\n%s", resp.StatusCode, slugErr, zoneErr, body)
	}

	resp, body = e.a.postBody("/admin/lists", newListForm(e.csrf, "Daily News", "", false))
	slugErr = fieldError("slug").FindStringSubmatch(body)
	want := "The slug made from the name, “daily-news”, is another list's: type another slug, or change the name."
	if resp.StatusCode != http.StatusUnprocessableEntity || slugErr == nil || html.UnescapeString(slugErr[1]) != want {
		t.Errorf("a name whose slug is taken = %d, slug error %q; want 422 with %q:\n%s", resp.StatusCode, slugErr, want, body)
	}
	if m := slugValue.FindStringSubmatch(body); m == nil || m[1] != "" {
		t.Errorf("the slug box of a slug left empty holds %q", m)
	}

	rec := e.api("POST", "/api/v1/lists", `{"slug":"daily-news","name":"Again","timezone":"Nowhere"}`)
	var got struct{ Fields map[string]string }
	json.Unmarshal(rec.Body.Bytes(), &got)
	if rec.Code != http.StatusUnprocessableEntity || got.Fields["slug"] != subscribers.SlugTaken || got.Fields["timezone"] == "" {
		t.Errorf("API: a taken slug and a bad zone = %d %s; want 422 naming both", rec.Code, rec.Body)
	}
	rec = e.api("PATCH", "/api/v1/lists/weekend-culture", `{"slug":"daily-news","digest_hour":40}`)
	got.Fields = nil
	json.Unmarshal(rec.Body.Bytes(), &got)
	if rec.Code != http.StatusUnprocessableEntity || got.Fields["slug"] != subscribers.SlugTaken || got.Fields["digest_hour"] == "" {
		t.Errorf("API: a patch to a taken slug and a bad hour = %d %s; want 422 naming both", rec.Code, rec.Body)
	}
	if rec := e.api("POST", "/api/v1/lists", `{"slug":"daily-news","name":"Again"}`); rec.Code != http.StatusConflict {
		t.Errorf("API: a taken slug alone = %d, want 409", rec.Code)
	}
}

// A list's page refused for an emptied name keeps the list's stored name
// in its heading, its title and its delete box: they were empty.
func TestAdminListEditKeepsItsNameLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	form := newListForm(e.csrf, "", "daily-news", false)
	resp, body := e.a.postBody("/admin/lists/daily-news", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !fieldError("name").MatchString(body) {
		t.Fatalf("an empty name = %d, want 422 with the name's error:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"<h1>Daily News</h1>", "Daily News · ", "Yes, delete “Daily News” and"} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the refused page lacks %q:\n%s", want, body)
		}
	}
	if !strings.Contains(body, `<input id="name" type="text" name="name" value=""`) {
		t.Errorf("the name box does not keep what was sent (nothing):\n%s", body)
	}
}

// The lists page counts each list's readers, confirmed and pending, as
// the subscribers page does with the list and the status chosen, each
// count a link there. Its slugs keep to one line on a wide screen.
func TestAdminListsCountReadersLs37(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	for _, n := range []*subscribers.NewSubscriber{
		{Email: "ann@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news", "weekend-culture"}},
		{Email: "bo@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}},
		{Email: "cy@example.com", Status: subscribers.StatusPending, Lists: []string{"daily-news"}},
		{Email: "di@example.com", Status: subscribers.StatusUnsubscribed},
		{Email: "ed@example.com", Status: subscribers.StatusBounced, Lists: []string{"daily-news"}},
	} {
		if _, err := e.store.Create(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	bo := e.byEmail("bo@example.com")
	if _, err := e.store.Update(ctx, bo.ID, &subscribers.Patch{Lists: &[]string{"weekend-culture"}}); err != nil {
		t.Fatal(err)
	}
	_, body := e.a.get("/admin/lists")
	cell := regexp.MustCompile(`<td class="readers" data-label="Readers">(.*?)</td>`)
	var got []string
	for _, m := range cell.FindAllStringSubmatch(body, -1) {
		got = append(got, html.UnescapeString(m[1]))
	}
	want := []string{
		`<a href="/admin/subscribers?list=daily-news&status=confirmed">1 confirmed</a><span class="muted"> · </span><a class="muted" href="/admin/subscribers?list=daily-news&status=pending">1 pending</a>`,
		`<a href="/admin/subscribers?list=weekend-culture&status=confirmed">2 confirmed</a>`,
		`<a href="/admin/subscribers?list=editors-desk&status=confirmed">0 confirmed</a>`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("readers cells:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	_, subs := e.a.get("/admin/subscribers?list=daily-news&status=confirmed")
	if !strings.Contains(subs, "1 subscriber match") {
		t.Errorf("the confirmed count's link shows another count:\n%s", subs)
	}
	if !strings.Contains(body, "@media (min-width:641px){table.lists code.slug{white-space:nowrap}") {
		t.Errorf("the lists page lets its slugs break on a wide screen:\n%s", body)
	}
}
