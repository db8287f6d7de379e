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

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/subscribers"
)

// withArchive turns on e's archive routes, which are built only when an
// Archiver is set.
func withArchive(e *subEnv) {
	e.srv.Archive = campaigns.NewStore(e.db)
	e.h = e.srv.Handler()
}

// sentIssue stores a campaign to lists, as sent an hour ago, and returns
// its id: an issue of the archive when one of lists is public.
func sentIssue(t *testing.T, e *subEnv, subject string, lists ...string) int64 {
	t.Helper()
	c := &campaigns.Campaign{Subject: subject, Body: "The quay reopens.", Lists: lists}
	if err := campaigns.NewStore(e.db).Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = ? WHERE id = ?`,
		time.Now().Add(-time.Hour).UTC(), c.ID); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// signupOffers are what a page offering the signup form has: any link
// to it, the home page's button and words.
var signupOffers = []string{`href="/subscribe`, `class="button"`, "Subscribe to get", "to get the first issue"}

// A fresh install has no list, and a publication may have only private
// ones: /subscribe then answers "Not open yet", so the home page and the
// archive do not send readers there. They say plainly that signups are
// not open yet. Once a public list exists they offer the form again.
func TestPublic31NoSignupOfferedWithoutAPublicList(t *testing.T) {
	ctx := context.Background()
	e := newSubEnv(t, 0)
	withArchive(e)
	for _, slug := range []string{"daily-news", "weekend-culture"} {
		if err := e.store.DeleteList(ctx, slug); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, open bool) {
		t.Helper()
		if w := e.do("GET", "/subscribe", "", ""); (w.Code == http.StatusOK) != open {
			t.Fatalf("%s: GET /subscribe = %d, want the form %v", when, w.Code, open)
		}
		pages := map[string]string{"/": "Signups are not open yet: please come back soon.",
			"/archive": "Nothing has been sent yet, and signups are not open yet: please come back soon."}
		if w := e.do("GET", "/no-such-page", "", ""); strings.Contains(w.Body.String(), `href="/subscribe"`) != open {
			t.Errorf("%s: the 404 page offers signup: %v, want %v", when, !open, open)
		}
		for path, closed := range pages {
			w := e.do("GET", path, "", "")
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Fatalf("%s: GET %s = %d", when, path, w.Code)
			}
			if open {
				if !strings.Contains(body, `href="/subscribe"`) || strings.Contains(body, closed) {
					t.Errorf("%s: GET %s does not offer the signup form:\n%s", when, path, body)
				}
				continue
			}
			if !strings.Contains(body, closed) {
				t.Errorf("%s: GET %s does not say signups are not open (%q):\n%s", when, path, closed, body)
			}
			for _, offer := range signupOffers {
				if strings.Contains(body, offer) {
					t.Errorf("%s: GET %s offers signup (%q), which /subscribe refuses:\n%s", when, path, offer, body)
				}
			}
		}
	}
	check("only a private list", false)
	if err := e.store.DeleteList(ctx, "editors-desk"); err != nil {
		t.Fatal(err)
	}
	check("no list at all", false)
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "tides", Name: "Tide Tables", Public: true}); err != nil {
		t.Fatal(err)
	}
	check("a public list", true)
	if w := e.do("GET", "/", "", ""); !strings.Contains(w.Body.String(), `<a class="button" href="/subscribe">Subscribe</a>`) {
		t.Errorf("with a public list the home page has no Subscribe button:\n%s", w.Body)
	}
}

// An archived issue's "Subscribe to get the next one" ticks the lists the
// issue went to: all of its public ones, never a private one, and the
// form it leads to shows them ticked. A name two public lists share
// ticks neither, as the issue names its lists by name.
func TestPublic31ArchiveIssueSubscribeTicksItsLists(t *testing.T) {
	ctx := context.Background()
	e := newSubEnv(t, 0)
	withArchive(e)
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "harbour-log", Name: "Harbour Log", Public: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "harbour-log-2", Name: "Harbour Log", Public: true}); err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`<a href="([^"]*)">Subscribe</a> to get the next one by mail\.`)
	for _, c := range []struct {
		name  string
		lists []string
		href  string
		ticks []string
	}{
		{"one public list", []string{"weekend-culture"}, "/subscribe?list=weekend-culture", []string{"weekend-culture"}},
		{"a public and a private list", []string{"daily-news", "editors-desk"}, "/subscribe?list=daily-news", []string{"daily-news"}},
		{"two public lists", []string{"daily-news", "weekend-culture"}, "/subscribe?list=daily-news&list=weekend-culture",
			[]string{"daily-news", "weekend-culture"}},
		{"a name two lists share", []string{"harbour-log"}, "/subscribe", nil},
	} {
		id := sentIssue(t, e, "Issue to "+c.name, c.lists...)
		w := e.do("GET", "/archive/"+strconv.FormatInt(id, 10), "", "")
		m := link.FindStringSubmatch(w.Body.String())
		if w.Code != http.StatusOK || m == nil {
			t.Errorf("%s: GET /archive/%d = %d without the subscribe link:\n%s", c.name, id, w.Code, w.Body)
			continue
		}
		if href := html.UnescapeString(m[1]); href != c.href {
			t.Errorf("%s: the subscribe link is %q, want %q", c.name, href, c.href)
			continue
		}
		form := e.do("GET", html.UnescapeString(m[1]), "", "").Body.String()
		if got := tickedLists(form); strings.Join(got, ",") != strings.Join(c.ticks, ",") {
			t.Errorf("%s: the form it leads to ticks %v, want %v", c.name, got, c.ticks)
		}
		if strings.Contains(form, `class="notice"`) {
			t.Errorf("%s: the form it leads to has a notice:\n%s", c.name, form)
		}
	}
}

// A link to the signup form for a list that is not there (a typo, an old
// link) or is private finds the form with a notice saying so, as the
// embed page says it, and the same words for both: the form tells
// nothing of private lists. A list that is public, in any case, brings
// no notice; a form posted back to fix keeps saying it in its lists
// error only, as before.
func TestPublic31SubscribeSaysWhenAListIsNotThere(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, c := range []struct {
		query, notice string
		ticks         []string
	}{
		{"?list=nope", "There is no public list “nope”: choose from the lists below.", nil},
		{"?list=editors-desk", "There is no public list “editors-desk”: choose from the lists below.", nil},
		{"?list=nope&list=Daily-News&list=NOPE&list=gone", "There are no public lists “nope” and “gone”: choose from the lists below.", []string{"daily-news"}},
		{"?list=" + strings.Repeat("x", 70), "There is no public list “" + strings.Repeat("x", 64) + "…”", nil},
		{"?list=Daily-News", "", []string{"daily-news"}},
		{"?list=daily-news&list=weekend-culture", "", []string{"daily-news", "weekend-culture"}},
		{"", "", nil},
	} {
		w := e.do("GET", "/subscribe"+c.query, "", "")
		body := html.UnescapeString(w.Body.String())
		if w.Code != http.StatusOK {
			t.Fatalf("GET /subscribe%s = %d", c.query, w.Code)
		}
		if c.notice == "" && strings.Contains(body, `class="notice"`) {
			t.Errorf("GET /subscribe%s has a notice:\n%s", c.query, body)
		}
		if c.notice != "" && !strings.Contains(body, `<p class="notice" role="alert">`+c.notice) {
			t.Errorf("GET /subscribe%s does not say %q:\n%s", c.query, c.notice, body)
		}
		if strings.Contains(body, "Editor's Desk") || strings.Contains(body, "Editor&#39;s Desk") {
			t.Errorf("GET /subscribe%s names the private list", c.query)
		}
		if got := tickedLists(body); strings.Join(got, ",") != strings.Join(c.ticks, ",") {
			t.Errorf("GET /subscribe%s ticks %v, want %v", c.query, got, c.ticks)
		}
	}
	// The embed page says it in the same words.
	if w := e.do("GET", "/subscribe/embed?list=editors-desk", "", ""); !strings.Contains(html.UnescapeString(w.Body.String()), "There is no public list “editors-desk”") {
		t.Errorf("the embed page no longer says it so:\n%s", w.Body)
	}
	// A form posted back says it in its error, without the notice.
	w := e.form("/subscribe", url.Values{"email": {"ann@example.org"}, "list": {"nope"}})
	if body := w.Body.String(); w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="lists-error"`) || strings.Contains(body, `class="notice"`) {
		t.Errorf("POST with an unknown list = %d:\n%s", w.Code, body)
	}
}

// The page after a signup is short lines a reader on a phone takes in:
// look for the publication's mail and follow its link, the spam folder,
// a way back for a mistyped address. It is the same page for every
// address (it takes none), and never says a mail went. It names the
// sender as the settings' From name shows in the inbox.
func TestPublic31CheckEmailIsShortLines(t *testing.T) {
	e := newSubEnv(t, 0)
	known, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: "known@example.org",
		Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"new@example.org", known.Email} {
		w := e.form("/subscribe", url.Values{"email": {email}, "list": {"daily-news"}})
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscribe/check-email" {
			t.Fatalf("signup of %s = %d to %q, want the one check-email page", email, w.Code, w.Header().Get("Location"))
		}
	}
	page := func() string {
		t.Helper()
		w := e.do("GET", "/subscribe/check-email", "", "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET /subscribe/check-email = %d", w.Code)
		}
		return html.UnescapeString(w.Body.String())
	}
	body := page()
	for _, want := range []string{
		"<h1>Check your inbox</h1>",
		"<p>Look for a mail from <strong>Bulletin</strong> and follow its link.</p>",
		"<p>Not there after a few minutes? Look in your spam folder.</p>",
		`<p>Wrong address? <a href="/subscribe">Sign up again</a> with the right one.</p>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the check-email page lacks %q:\n%s", want, body)
		}
	}
	for _, not := range []string{"nothing starts before", "We sent you", "already subscribed", "known@example.org"} {
		if strings.Contains(body, not) {
			t.Errorf("the check-email page says %q:\n%s", not, body)
		}
	}
	_, card, _ := strings.Cut(body, `<div class="card">`)
	for _, p := range regexp.MustCompile(`(?s)<p[^>]*>(.*?)</p>`).FindAllStringSubmatch(card, -1) {
		if n := len(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(p[1], ""))); n > 30 {
			t.Errorf("a paragraph of %d words, want short lines: %q", n, p[1])
		}
	}

	// With settings, the sender's name is the mail's From name.
	e.srv.Settings = settings.NewStore(e.db, t.TempDir(), settingsDefaults)
	if err := e.srv.Settings.Save(context.Background(), &settings.Update{Publication: settings.Publication{
		Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", FromName: "Quay Desk",
		FromAddress: "post@quayside.example", Credit: true}}); err != nil {
		t.Fatal(err)
	}
	e.h = e.srv.Handler()
	if body := page(); !strings.Contains(body, "Look for a mail from <strong>Quay Desk</strong>") {
		t.Errorf("the check-email page does not name the From name:\n%s", body)
	}
}

// A weekly list's schedule, which no choice changes, is not shown inside
// the fieldset where the reader chooses the daily lists' frequency, under
// their radios, as if it were theirs: it has its own line, after it.
func TestPublic31PreferencesFixedScheduleOutsideTheChoice(t *testing.T) {
	e := newSubEnv(t, 0)
	sub := weeklyListReader(t, e)
	w := e.do("GET", "/preferences/"+e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0), "", "")
	body := html.UnescapeString(w.Body.String())
	const fixed = "Weekend Culture: the weekly digest, sent on Saturdays at 00:00 UTC."
	choice := regexp.MustCompile(`(?s)<fieldset[^>]*>\s*<legend>Digest</legend>.*?</fieldset>`).FindString(body)
	if w.Code != http.StatusOK || !strings.Contains(choice, `name="frequency"`) || !strings.Contains(choice, "For Daily News.") {
		t.Fatalf("no fieldset choosing the daily lists' frequency: %d\n%s", w.Code, body)
	}
	if strings.Contains(choice, fixed) {
		t.Errorf("the weekly list's schedule is inside the daily lists' choice:\n%s", choice)
	}
	_, after, _ := strings.Cut(body, choice)
	if !strings.Contains(after, fixed) {
		t.Errorf("the page does not say %q after the choice:\n%s", fixed, body)
	}
}

// Checkboxes and radios on the public pages take the publication's
// colour, not the browser's blue: the links' shade, which for a light
// accent is the darker one that stands out on white (Brand.AccentText).
func TestPublic31ChecksTakeTheAccent(t *testing.T) {
	e := newSubEnv(t, 0)
	e.srv.Settings = settings.NewStore(e.db, t.TempDir(), settingsDefaults)
	if err := e.srv.Settings.Save(context.Background(), &settings.Update{Publication: settings.Publication{
		Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", Accent: "#ffe14d",
		FromAddress: "post@quayside.example", Credit: true}}); err != nil {
		t.Fatal(err)
	}
	e.h = e.srv.Handler()
	body := e.do("GET", "/subscribe", "", "").Body.String()
	if !strings.Contains(body, "input[type=checkbox],input[type=radio]{accent-color:var(--link)}") {
		t.Errorf("the page's checkboxes and radios do not take the links' colour:\n%s", body)
	}
	// #ffe14d reads at 1.3:1 on white; links, and so the checks, take
	// its darker shade.
	if !strings.Contains(body, "--accent:#ffe14d;") || !strings.Contains(body, "--link:#8a7300;") {
		t.Errorf("the links' colour is not the light accent's darker shade:\n%s", body)
	}
}

// weeklyListReader makes daily-news daily (on Fridays) and
// weekend-culture weekly (on Saturdays), and returns a confirmed reader
// of both who takes weekly round-ups.
func weeklyListReader(t *testing.T, e *subEnv) *subscribers.Subscriber {
	t.Helper()
	ctx := context.Background()
	for slug, l := range map[string]struct{ digest, day string }{"daily-news": {"daily", "friday"}, "weekend-culture": {"weekly", "saturday"}} {
		if _, err := e.store.UpdateList(ctx, slug, &subscribers.ListPatch{Digest: &l.digest, DigestWeekday: &l.day}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "bo@example.org", Status: subscribers.StatusConfirmed,
		Frequency: "weekly", Lists: []string{"daily-news", "weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
