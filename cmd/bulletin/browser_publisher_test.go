package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// publisherFeed is an RSS feed the journey's publisher owns, served on
// loopback.
const publisherFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Harbour Notes</title><link>https://harbour.example/</link><description>Notes</description>
<item><title>The ferry timetable changes in spring</title><link>https://harbour.example/ferry-spring</link>
<description>Two early crossings are added on weekdays from April.</description><pubDate>Thu, 26 Nov 2026 08:00:00 +0000</pubDate></item>
<item><title>A new bench on the north pier</title><link>https://harbour.example/north-pier-bench</link>
<description>Carved from a fallen oak by the boatyard apprentices.</description><pubDate>Wed, 25 Nov 2026 08:00:00 +0000</pubDate></item>
</channel></rss>`

// outboxMails returns the text of every message in the outbox whose
// headers and text part contain all of want.
func outboxMails(t *testing.T, data string, want ...string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(data, "outbox", "*.eml"))
	var found []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(string(raw), w)
		}
		if ok {
			found = append(found, string(raw))
		}
	}
	return found
}

// waitMails waits up to 15 s for n mails containing all of want.
func waitMails(t *testing.T, data string, n int, want ...string) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := outboxMails(t, data, want...)
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) < n {
				t.Fatalf("%d mails with %q in the outbox, want %d", len(got), want, n)
			}
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPublisherJourneyInABrowser runs a newsletter from an empty install as
// a publisher would, in headless Chromium and never with curl: setup, a
// weekly list with a welcome mail, a feed, a reader who signs up and
// confirms (twice), a campaign written, edited, previewed and sent, the team
// and a token. Each page is kept as a screenshot at 390 and 1280 px.
func TestPublisherJourneyInABrowser(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, publisherFeed)
	}))
	defer feed.Close()
	addr := freeAddr(t)
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_ADDR": addr, "BULLETIN_BASE_URL": "http://" + addr,
		"BULLETIN_ALLOW_PRIVATE_FEEDS": "1", "BULLETIN_FROM": "Harbour Notes <news@harbour.example>"}
	m, _, _ := testMain(t, env)
	base, stop := startServe(t, m)
	defer stop()
	b := newBrowser(t, 60*time.Second)
	do, shot := b.do, b.shotBoth

	// 1. Setup: an empty install opens on it, from this host without a code.
	do("setup", chromedp.Navigate(base+"/admin"), heading("Set up Bulletin"), shot("setup"),
		chromedp.SetValue(chromedp.ID("publication_name"), "Harbour Notes"),
		chromedp.SetValue(chromedp.ID("from_address"), "news@harbour.example"),
		chromedp.SendKeys(chromedp.ID("email"), "editor@harbour.example"),
		chromedp.SendKeys(chromedp.ID("password"), "a long harbour passphrase"),
		chromedp.SendKeys(chromedp.ID("password2"), "a long harbour passphrase"),
		chromedp.SendKeys(chromedp.ID("list_name"), "Harbour Weekly"),
		chromedp.SendKeys(chromedp.ID("list_slug"), "harbour-weekly"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/setup"] button[type=submit]`)),
		heading("Dashboard"), shot("dashboard"))

	// 2. The list: weekly on Saturday at 07:00 Paris time, with a welcome.
	do("list", chromedp.Navigate(base+"/admin/lists/harbour-weekly"), heading("Harbour Weekly"),
		chromedp.SetValue(chromedp.ID("digest"), "weekly"),
		chromedp.SetValue(chromedp.ID("digest_weekday"), "saturday"),
		chromedp.SetValue(chromedp.ID("digest_hour"), "7"),
		chromedp.SetValue(chromedp.ID("timezone"), "Europe/Paris"),
		chromedp.SendKeys(chromedp.ID("welcome"), "Welcome aboard, **{{ .Name }}**. The first issue comes on Saturday."),
		chromedp.Click(chromedp.CSS(`form[action="/admin/lists/harbour-weekly"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")), shot("list-saved"))
	var digest, weekday, zone string
	var hour int
	if err := m.app.DB.Read.QueryRow(`SELECT digest, digest_weekday, digest_hour, timezone FROM lists WHERE slug = 'harbour-weekly'`).
		Scan(&digest, &weekday, &hour, &zone); err != nil {
		t.Fatal(err)
	}
	if digest != "weekly" || weekday != "saturday" || hour != 7 || zone != "Europe/Paris" {
		t.Errorf("list stored as %s %s %d %s, want weekly saturday 7 Europe/Paris", digest, weekday, hour, zone)
	}

	// 3. A feed, polled when added.
	do("feed", chromedp.Navigate(base+"/admin/feeds"), heading("Feeds"),
		chromedp.SendKeys(chromedp.ID("feed-url"), feed.URL+"/rss.xml"),
		chromedp.SetValue(chromedp.ID("feed-list"), "harbour-weekly"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/feeds"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")), shot("feeds"))
	var articles int
	if err := m.app.DB.Read.QueryRow(`SELECT COUNT(*) FROM articles`).Scan(&articles); err != nil || articles != 2 {
		t.Errorf("articles after adding the feed: %d (%v), want 2", articles, err)
	}

	// 4. A reader signs up, confirms twice and gets one welcome mail.
	do("sign up", chromedp.Navigate(base+"/subscribe"), heading("Subscribe"), shot("subscribe"),
		chromedp.SendKeys(chromedp.ID("email"), "ines@reader.example"),
		chromedp.SendKeys(chromedp.ID("name"), "Inès"),
		chromedp.Click(chromedp.CSS(`form[action="/subscribe"] button[type=submit]`)),
		heading("Check your inbox"))
	confirm := waitMails(t, data, 1, "ines@reader.example>", "/confirm/")[0]
	link := regexp.MustCompile(`http://\S+/confirm/[A-Za-z0-9_=-]+`).FindString(confirm)
	do("confirm", chromedp.Navigate(link), heading("You're subscribed"), shot("confirmed"),
		chromedp.Navigate(link), heading("You're subscribed"))
	waitMails(t, data, 1, "ines@reader.example>", "Welcome aboard")
	time.Sleep(time.Second) // a second welcome would have arrived by now
	if n := len(outboxMails(t, data, "ines@reader.example>", "Welcome aboard")); n != 1 {
		t.Errorf("%d welcome mails after two clicks, want 1", n)
	}

	// 5. A campaign: written, saved, edited, previewed, sent to the
	// audience it announced.
	do("campaign", chromedp.Navigate(base+"/admin/campaigns/new"), heading("New campaign"),
		chromedp.SendKeys(chromedp.ID("subject"), "Storm season notes"),
		chromedp.SetValue(chromedp.ID("body"), "Hello {{ .Name | default \"neighbour\" }},\n\nThe harbour office keeps winter hours from Monday."),
		chromedp.Click(chromedp.CSS(`input[name=lists][value="harbour-weekly"]`)),
		chromedp.Click(chromedp.CSS(`button[value=save]`)),
		heading("Storm season notes"), shot("campaign-draft"))
	b.doAgain("edit", follow(`a[href$="/edit"]`), heading("Edit campaign"), chromedp.WaitVisible(chromedp.ID("preheader")),
		chromedp.SetValue(chromedp.ID("subject"), "Storm season notes, revised"),
		chromedp.SendKeys(chromedp.ID("preheader"), "Winter hours, the slipway and a lost buoy"),
		chromedp.Click(chromedp.CSS(`button[value=save]`)),
		heading("Storm season notes, revised"),
		waitJS(`(function(){var f=document.querySelector('iframe[title="Preview at phone width"]');return !!f&&f.contentDocument!==null||!!f})()`, "the phone preview"),
		chromedp.ScrollIntoView(chromedp.CSS(`iframe[title="Preview at phone width"]`)), shot("campaign-preview"))
	attr, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(`iframe[title="Preview at phone width"]`), "srcdoc"))
	if preview := attr.Value; err != nil || !strings.Contains(preview, "Harbour Notes") || !strings.Contains(preview, "winter hours") {
		t.Errorf("the preview lacks the publication or the body (%v):\n%.600s", err, attr.Value)
	}
	do("confirm send", follow(`a[href$="/send"]`), heading("Send this campaign now?"), shot("campaign-confirm"))
	audience, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.ID("audience")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimSpace(audience), "1 ") {
		t.Errorf("the confirm step announces %q, want 1 reader", audience)
	}
	do("send", chromedp.Click(chromedp.CSS(`form[action$="/send"] button[type=submit]`)),
		heading("Storm season notes, revised"), waitJS(`document.querySelector("#status").textContent.trim()==="sent"`, "the campaign sent"),
		shot("campaign-sent"))
	sent := waitMails(t, data, 1, "ines@reader.example>", "Subject: Storm season notes, revised")
	if pm := mailtest.Parse(t, []byte(sent[0])); len(sent) != 1 || !strings.HasPrefix(pm.Text, "Hello Inès,\n\nThe harbour office") {
		t.Errorf("%d campaign mails to the reader, want 1 saying hello by name:\n%s", len(sent), pm.Text)
	}

	// 6. The team and a token.
	do("team", chromedp.Navigate(base+"/admin/team"), heading("Team"),
		chromedp.SendKeys(chromedp.ID("email"), "subeditor@harbour.example"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/team/invites"] button[type=submit]`)),
		waitJS(`document.body.textContent.includes("/admin/invite/")`, "the invite link"), shot("invited"))
	do("token", chromedp.Navigate(base+"/admin/tokens"), heading("API tokens"),
		chromedp.SendKeys(chromedp.ID("name"), "site build"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/tokens"] button[type=submit]`)),
		waitJS(`document.body.textContent.includes("bt_")`, "the new token"), shot("token"))
	var tokens int
	if err := m.app.DB.Read.QueryRow(`SELECT COUNT(*) FROM api_tokens WHERE name = 'site build'`).Scan(&tokens); err != nil || tokens != 1 {
		t.Errorf("tokens named site build: %d (%v), want 1", tokens, err)
	}

	// 7. Every admin page at phone width: nothing wider than the screen
	// (a wide table scrolls inside its card), each kept at both widths.
	nav, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("header a[href^='/admin']")).map(a => a.getAttribute("href"))`))
	if err != nil || len(nav) < 10 {
		t.Fatalf("admin navigation: %v, %v", nav, err)
	}
	pages := append(nav, "/admin/lists/harbour-weekly", "/admin/articles/1", "/admin/subscribers/1", "/admin/subscribers/new",
		"/admin/subscribers/import", "/admin/campaigns/new", "/admin/campaigns/1", "/admin/campaigns/1/report",
		"/admin/lists/harbour-weekly/report", "/admin/no-such-page")
	const overflow = `(function(){
		var w = document.documentElement.clientWidth, out = [];
		document.querySelectorAll("main *, header *").forEach(function(el){
			var r = el.getBoundingClientRect();
			if (r.right > w + 1 && getComputedStyle(el).position !== "absolute" && !el.closest(".card, figure, pre, table")) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + Math.round(r.right) + "px");
		});
		document.querySelectorAll("main table").forEach(function(t){
			if (t.scrollWidth > t.parentElement.clientWidth + 1) out.push("a table " + t.scrollWidth + "px wide in " + t.parentElement.clientWidth + "px");
		});
		if (document.documentElement.scrollWidth <= w + 1 && out.length == 0) return "";
		return "page " + document.documentElement.scrollWidth + "px wide: " + out.slice(0, 5).join(", ");
	})()`
	for _, page := range pages {
		do("open "+page, chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile),
			chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](overflow))
		if err != nil || wide != "" {
			t.Errorf("%s at 390 px: %s %v", page, wide, err)
		}
		do("keep "+page, shot("page"+strings.ReplaceAll(page, "/", "-")))
	}
}
