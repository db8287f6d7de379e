package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// hostsResolver answers names from a table, as /etc/hosts does, and
// never touches the network.
type hostsResolver map[string]string

func (h hostsResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	a, ok := h[host]
	if !ok {
		return nil, &net31Error{host}
	}
	return []netip.Addr{netip.MustParseAddr(a)}, nil
}

type net31Error struct{ host string }

func (e *net31Error) Error() string { return "no such host " + e.host }

// newFeedAdmin31 is a logged-in admin on a server whose feeds may (or may
// not) live on loopback, with a publisher's lists: The Harbour Weekly
// first, which sends no digest (a fresh install's first list), then Daily
// News, daily at 08:00 in London, and Weekend Culture, weekly.
func newFeedAdmin31(t *testing.T, allowPrivate bool) (*articles.Feeds, *adminClient, *sqlite.DB) {
	t.Helper()
	var feeds *articles.Feeds
	var store *sqlite.DB
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		for _, l := range []struct{ slug, name, digest, weekday, zone string }{
			{"harbour-weekly", "The Harbour Weekly", "off", "monday", "UTC"},
			{"daily-news", "Daily News", "daily", "monday", "Europe/London"},
			{"weekend", "Weekend Culture", "weekly", "saturday", "UTC"},
		} {
			if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, digest, digest_hour, digest_weekday, timezone, created_at)
				VALUES (?, ?, ?, 8, ?, ?, ?)`, l.slug, l.name, l.digest, l.weekday, l.zone, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		feeds = articles.NewFeeds(db, s.Articles, allowPrivate)
		// Go's resolver answers localhost from /etc/hosts in this form.
		feeds.Resolver = hostsResolver{"localhost": "::ffff:127.0.0.1"}
		s.DigestDeps = DigestDeps{Feeds: feeds}
		store = db
	})
	a.login("correct horse battery")
	return feeds, a, store
}

// The list menu shows each list's digest schedule, and offers a list
// that sends one first. A fresh install's first list sends none, and was
// the one offered: the feed's items were stored and mailed to nobody.
func TestFeedFormShowsEachListsDigest(t *testing.T) {
	_, a, _ := newFeedAdmin31(t, true)
	_, body := a.get("/admin/feeds")
	for _, want := range []string{
		`<optgroup label="Digest daily at 08:00 Europe/London"><option value="daily-news" selected>Daily News</option></optgroup>`,
		`<optgroup label="Digest weekly on Saturday at 08:00 UTC"><option value="weekend">Weekend Culture</option></optgroup>`,
		`<optgroup label="No digest: items not mailed"><option value="harbour-weekly">The Harbour Weekly</option></optgroup>`,
		"On a list that sends a digest, the feed’s items from the last week go in its next one",
		"On a list with no digest nothing mails them",
		// The note of the list chosen, shown as the choice changes.
		`#feed-list:has(option[value="harbour-weekly"]:checked)~.list-note[data-list="harbour-weekly"]{display:block}`,
		`<p class="muted list-note" data-list="harbour-weekly">The Harbour Weekly sends no digest: the feed’s items are stored as articles and mailed to nobody, unless you <a href="/admin/lists/harbour-weekly#digest">turn its digest on</a>`,
		`<p class="muted list-note" data-list="daily-news">Daily News sends a digest daily at 08:00 Europe/London: the feed’s items from the last week go in its next one.</p>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the feeds page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Its items from the last week go in the list's next digest") {
		t.Error("the form still promises a digest whatever the list")
	}
}

// A feed added to a list that sends no digest is added (its items are
// articles, for a campaign written by hand), and the page says that
// nothing mails them, with a link to where the list's digest is turned
// on. A feed of a list with a digest gets no such notice.
func TestFeedAddedToListWithoutDigestSaysSo(t *testing.T) {
	_, a, db := newFeedAdmin31(t, true)
	src, _ := testFeed(t, 200, testRSS)
	token := a.csrfOf("/admin/feeds")
	resp := a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {src.URL + "/weekly.xml"}, "list": {"harbour-weekly"}})
	checkFlashRedirect(t, "add", resp, "/admin/feeds", "feed-added")
	_, body := a.get(resp.Header.Get("Location"))
	notice := "<strong>The Harbour Weekly sends no digest</strong>, so nothing mails this feed’s items"
	for _, want := range []string{"Feed added and polled", notice, `<a href="/admin/lists/harbour-weekly#digest">Turn on the list’s digest</a>`,
		`no digest · <a href="/admin/lists/harbour-weekly#digest">turn it on</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page after adding a feed to a list without a digest lacks %s:\n%s", want, body)
		}
	}
	var n int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM article_lists al JOIN lists l ON l.id = al.list_id WHERE l.slug = 'harbour-weekly'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("the feed put %d articles on its list (%v), want its 2 items, there for a campaign", n, err)
	}
	if _, body = a.get("/admin/feeds"); strings.Contains(body, "sends no digest</strong>") || strings.Contains(body, "Feed added") {
		t.Error("the notice or the banner shows again on a reload: they are the add's")
	}

	resp = a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {src.URL + "/daily.xml"}, "list": {"daily-news"}})
	_, body = a.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "Feed added and polled") || strings.Contains(body, "sends no digest</strong>") {
		t.Errorf("the page after adding a feed to a daily list:\n%s", body)
	}
	if !strings.Contains(body, `<div class="muted" style="font-size:.85rem">daily at 08:00 Europe/London</div>`) {
		t.Errorf("the daily feed's row does not say when its list's digest goes:\n%s", body)
	}
}

// A first poll that failed is a warning, not a success: its flash was in
// the green success style.
func TestFeedFailedPollFlashIsAWarning(t *testing.T) {
	feeds, a, _ := newFeedAdmin31(t, true)
	broken, _ := testFeed(t, 503, "busy")
	token := a.csrfOf("/admin/feeds")
	resp := a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {broken.URL + "/feed.xml"}, "list": {"daily-news"}})
	checkFlashRedirect(t, "add of a failing feed", resp, "/admin/feeds", "feed-failed")
	warning := `<div class="flash" role="alert" style="border-color:var(--err);border-left-width:5px">`
	_, body := a.get("/admin/feeds")
	if !strings.Contains(body, warning+"Feed added, but its first poll failed") {
		t.Errorf("the failed poll's flash is not a warning:\n%s", body)
	}
	if strings.Contains(body, `<div class="flash" role="status">Feed added, but`) {
		t.Errorf("the failed poll's flash is shown as a success too:\n%s", body)
	}
	list, _, _ := feeds.List(context.Background(), 0, 0)
	a.post("/admin/feeds/"+strconv.FormatInt(list[0].ID, 10)+"/pause", url.Values{"csrf": {token}})
	resp = a.post("/admin/feeds/"+strconv.FormatInt(list[0].ID, 10)+"/resume", url.Values{"csrf": {token}})
	_, body = a.get(resp.Header.Get("Location"))
	if !strings.Contains(body, warning+"Feed resumed, but its poll failed") {
		t.Errorf("the failed resume's flash is not a warning:\n%s", body)
	}
	good, _ := testFeed(t, 200, testRSS)
	resp = a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {good.URL + "/feed.xml"}, "list": {"daily-news"}})
	if _, body = a.get(resp.Header.Get("Location")); !strings.Contains(body, `<div class="flash" role="status">Feed added and polled`) || strings.Contains(body, warning) {
		t.Errorf("a good add's flash is not the success banner:\n%s", body)
	}
}

// The same feed URL on a second list puts its items, stored already, on
// that list, and its row counts them: it said "Items: 0".
func TestFeedOnSecondListCountsItsItems(t *testing.T) {
	_, a, _ := newFeedAdmin31(t, true)
	src, _ := testFeed(t, 200, testRSS)
	token := a.csrfOf("/admin/feeds")
	for _, list := range []string{"daily-news", "weekend"} {
		resp := a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {src.URL + "/feed.xml"}, "list": {list}})
		checkFlashRedirect(t, "add to "+list, resp, "/admin/feeds", "feed-added")
	}
	_, body := a.get("/admin/feeds")
	if n := strings.Count(body, `<td data-label="Items">2</td>`); n != 2 {
		t.Errorf("%d rows count the 2 items, want both feeds':\n%s", n, body)
	}
	if !strings.Contains(body, "Items counts the articles each feed has put on its list") {
		t.Errorf("the page does not say what Items counts:\n%s", body)
	}
}

// A refused URL says what is wrong with it, next to the field, which is
// marked invalid and keeps what was typed.
func TestFeedFormURLErrorsSayWhatIsWrong(t *testing.T) {
	feeds, a, _ := newFeedAdmin31(t, false)
	token := a.csrfOf("/admin/feeds")
	tests := []struct{ typed, want, not string }{
		{"file:///etc/passwd", "Only http and https feeds can be polled", "user name"},
		{"http://localhost:8080/feed.xml", "localhost (127.0.0.1) is a loopback, private or reserved address", "::ffff:"},
		{"https://desk:pw@harbourgazette.example/feed", "without a user name or password", ""},
	}
	for _, tt := range tests {
		resp, body := a.postBody("/admin/feeds", url.Values{"csrf": {token}, "url": {tt.typed}, "list": {"daily-news"}})
		text := html.UnescapeString(body)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, tt.want) || (tt.not != "" && strings.Contains(text, tt.not)) {
			t.Errorf("add of %s = %d, want 422 saying %q (not %q):\n%s", tt.typed, resp.StatusCode, tt.want, tt.not, body)
		}
		for _, want := range []string{`aria-invalid="true" aria-describedby="feed-url-error"`, `<p class="error" id="feed-url-error">`, `value="` + html.EscapeString(tt.typed) + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("add of %s: the form lacks %s", tt.typed, want)
			}
		}
	}
	_, body := a.postBody("/admin/feeds", url.Values{"csrf": {token}, "url": {"http://localhost:8080/feed.xml"}, "list": {"daily-news"}})
	if text := html.UnescapeString(body); !strings.Contains(text, "start bulletin serve with the environment variable BULLETIN_ALLOW_PRIVATE_FEEDS=1 (restart it") {
		t.Errorf("the loopback refusal does not say where the setting goes:\n%s", body)
	}
	if _, body := a.get("/admin/feeds"); strings.Contains(body, `aria-invalid="true"`) {
		t.Error("the form without errors marks a field invalid")
	}
	if got, _, _ := feeds.List(context.Background(), 0, 0); len(got) != 0 {
		t.Errorf("refused URLs added %d feeds", len(got))
	}
}

// A URL whose first poll gets a 404 or a web page is not added, in the
// form and the API alike, with words that say what came back. An address
// typed without a scheme is taken as https; the feed added is polled at
// that URL.
func TestFeedFirstPollRefusalInFormAndAPI(t *testing.T) {
	feeds, a, _ := newFeedAdmin31(t, true)
	missing, _ := testFeed(t, 404, "not here")
	// A web page with no feed named in it: served as a feed, it starts
	// as a page does.
	page, _ := testFeed(t, 200, "<!doctype html><html><head><title>Harbour Gazette</title></head><body><p>News.</p></body></html>")
	token := a.csrfOf("/admin/feeds")
	for _, tt := range []struct{ url, want string }{
		{missing.URL + "/feed.xml", "The URL answered 404 Not Found: check that it is the feed's own URL"},
		{page.URL + "/", "The URL is a web page, not an RSS or Atom feed"},
	} {
		resp, body := a.postBody("/admin/feeds", url.Values{"csrf": {token}, "url": {tt.url}, "list": {"daily-news"}})
		text := html.UnescapeString(body)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, tt.want) || !strings.Contains(body, `value="`+tt.url+`"`) ||
			!strings.Contains(body, "Nothing was saved: fix the fields marked below.") {
			t.Errorf("add of %s = %d, want 422 saying %q with the URL kept:\n%s", tt.url, resp.StatusCode, tt.want, body)
		}
	}
	if got, _, _ := feeds.List(context.Background(), 0, 0); len(got) != 0 {
		t.Errorf("%d feeds kept, want none", len(got))
	}

	_, h, apiToken := feedAPIServer(t)
	w := do(t, h, "POST", "/api/v1/feeds", apiToken, `{"url":"`+missing.URL+`/feed.xml","list":"news"}`)
	var got struct {
		Error  string
		Fields map[string]string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusUnprocessableEntity || got.Error != "validation" ||
		!strings.HasPrefix(got.Fields["url"], "the URL answered 404 Not Found") {
		t.Errorf("POST /api/v1/feeds of a 404 = %d %s; want 422 with the url's refusal", w.Code, w.Body)
	}

	// An http server at an address typed without a scheme: tried as
	// https, it fails as any poll over TLS to plain HTTP does, and the
	// feed is kept with that status, as a passing failure may be.
	good, _ := testFeed(t, 200, testRSS)
	typed := strings.TrimPrefix(good.URL, "http://") + "/feed.xml"
	resp := a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {typed}, "list": {"daily-news"}})
	list, _, _ := feeds.List(context.Background(), 0, 0)
	if resp.StatusCode != http.StatusSeeOther || len(list) != 1 || list[0].URL != "https://"+typed ||
		list[0].LastError != "TLS: the server answers plain HTTP at that address; use an http:// URL" {
		t.Errorf("add of %s = %d, feeds %+v; want it added as https://%s with the TLS status", typed, resp.StatusCode, list, typed)
	}
}
