package web

import (
	"context"
	"html"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// dataLinksOverSMTP wires e's server with the sender of the data link
// mails, as serve wires it (a Confirmer's), sending over SMTP to a server
// of its own on loopback, and returns that server.
func (e *subEnv) dataLinksOverSMTP() *smtptest.Server {
	e.t.Helper()
	srv := smtptest.Start(e.t)
	tmpl, err := loadTemplates()
	if err != nil {
		e.t.Fatal(err)
	}
	c := &subscribers.Confirmer{Store: e.store, Signer: e.signer, Templates: tmpl, Transport: mailtest.SMTPTo(e.t, srv.URL()),
		From: &mail.Address{Name: "Harbour Gazette", Address: "news@news.test"}, BaseURL: "http://news.test"}
	e.srv.DataLinks = subscribers.NewDataLinks(c)
	return srv
}

// askDataLink presses the button of the page at path (a preferences
// link's /data or /erase) and follows the redirect, as a browser does,
// and returns the page it is shown then, once the mail asked for, which
// goes after the answer, has gone.
func (e *subEnv) askDataLink(path string) string {
	e.t.Helper()
	w := e.do("POST", path, postForm, "")
	if d, ok := e.srv.DataLinks.(*subscribers.DataLinks); ok {
		d.Wait()
	}
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != path {
		e.t.Fatalf("POST %s = %d to %q, want 303 to the page:\n%s", path, w.Code, w.Header().Get("Location"), w.Body)
	}
	page := e.followSaved(w)
	if page.Code != http.StatusOK {
		e.t.Fatalf("the page after asking = %d:\n%s", page.Code, page.Body)
	}
	return html.UnescapeString(page.Body.String())
}

var dataLink = regexp.MustCompile(`http://news\.test(/(?:data|erase)/[A-Za-z0-9_-]+)`)

// mailedDataLink reads the data link mail msg to addr, checks its
// headers and that both parts carry the same one link, and returns the
// link's path.
func mailedDataLink(t *testing.T, msg smtptest.Message, addr, subject string) string {
	t.Helper()
	pm := mailtest.Parse(t, msg.Data)
	mailtest.CheckHeaders(t, msg.Data, pm, &mail.Address{Name: "Harbour Gazette", Address: "news@news.test"}, &mail.Address{Address: addr}, subject)
	if got := pm.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted %q, want auto-generated", got)
	}
	links := dataLink.FindAllStringSubmatch(pm.Text, -1)
	if len(links) != 1 || !strings.Contains(pm.HTML, `href="`+links[0][0]+`"`) {
		t.Fatalf("want one link in the text part, the HTML part's too; got %v:\n%s\n%s", links, pm.Text, pm.HTML)
	}
	if !strings.Contains(pm.Text, "The link works for one hour.") || !strings.Contains(pm.HTML, "The link works for one hour.") {
		t.Errorf("the mail does not say how long the link works:\n%s", pm.Text)
	}
	if readerLink.MatchString(pm.Text) || readerLink.MatchString(pm.HTML) {
		t.Errorf("the mail carries a preferences or unsubscribe link:\n%s", pm.Text)
	}
	return links[0][1]
}

// The preferences page's data actions give nothing themselves: its
// /data is a page asking for a link by mail, not the reader's data, and
// its /erase button mails a link and erases no one, whoever holds the
// preferences link. Fetching the pages mails nothing.
func TestDataLinkPreferencesLinkAloneGivesNoData(t *testing.T) {
	e := newSubEnv(t, 0)
	srv := e.dataLinksOverSMTP()
	ann, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	sendGoldenCampaign(t, e)
	before := e.apiExport(ann.ID)

	for _, method := range []string{"HEAD", "GET"} {
		w := e.do(method, prefs+"/data", "", "")
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || w.Header().Get("Content-Disposition") != "" {
			t.Fatalf("%s %s/data = %d, %q, %q; want 200 and a page", method, prefs, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Content-Disposition"))
		}
	}
	body := html.UnescapeString(e.do("GET", prefs+"/data", "", "").Body.String())
	for _, want := range []string{"<h1>Download your data</h1>", "<strong>ann@example.org</strong>", `<button type="submit">Email me the link</button>`, "The link works for one hour."} {
		if !strings.Contains(body, want) {
			t.Errorf("the download's page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `"deliveries"`) || strings.Contains(body, "Daily News") {
		t.Errorf("the download's page shows the reader's data:\n%s", body)
	}
	erase := html.UnescapeString(e.do("GET", prefs+"/erase", "", "").Body.String())
	if !strings.Contains(erase, "<h1>Delete your data</h1>") || !strings.Contains(erase, `<button type="submit">Email me the link</button>`) || strings.Contains(erase, "Delete my data") {
		t.Errorf("the erase's page:\n%s", erase)
	}
	if srv.Total() != 0 {
		t.Fatalf("fetching the pages sent %d mails", srv.Total())
	}

	page := e.askDataLink(prefs + "/erase")
	if !e.present(ann.ID) {
		t.Fatal("the preferences link's erase button erased the reader")
	}
	if !strings.Contains(page, "<h1>Check your email</h1>") {
		t.Errorf("the page after the erase button:\n%s", page)
	}
	if after := e.apiExport(ann.ID); after.Body != before.Body {
		t.Errorf("the reader's data changed:\n%s\n---\nwas\n%s", after.Body, before.Body)
	}
	if srv.Total() != 1 || srv.Count("ann@example.org") != 1 {
		t.Errorf("%d mails, %d to the reader; want one, to the reader", srv.Total(), srv.Count("ann@example.org"))
	}
}

// Asking mails the reader's address one link, which downloads the API's
// export of the reader (the same file the preferences page gave before),
// kept from caches and referrers. The page says where the link went and
// for how long it works; a second ask within 10 minutes shows the same
// page and mails nothing. The erase link is asked for apart.
func TestDataLinkMailsOneLinkThatDownloads(t *testing.T) {
	e := newSubEnv(t, 0)
	srv := e.dataLinksOverSMTP()
	ann, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	e.prefsReader("bob@example.org", "daily", "daily-news", "editors-desk")
	sendGoldenCampaign(t, e)

	page := e.askDataLink(prefs + "/data")
	for _, want := range []string{
		"<title>Check your email ·",
		"<h1>Check your email</h1>",
		"We sent a link to <strong>ann@example.org</strong>. Open it from that mailbox to download your data.",
		"The link works for one hour.",
		"We send at most one such mail every 10 minutes",
		`<a href="` + prefs + `">Back to your preferences</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page after asking lacks %q:\n%s", want, page)
		}
	}
	if got := html.UnescapeString(e.do("GET", prefs+"/data", "", "").Body.String()); strings.Contains(got, "Check your email") {
		t.Errorf("the page says it was sent again at a reload:\n%s", got)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != ann.Email || msgs[0].From != "news@news.test" {
		t.Fatalf("mails: %+v; want one to %s from news@news.test", msgs, ann.Email)
	}
	link := mailedDataLink(t, msgs[0], ann.Email, "Your data at Harbour Gazette")
	if !strings.HasPrefix(link, "/data/") {
		t.Fatalf("the download's link is %s", link)
	}

	want := e.apiExport(ann.ID)
	w := e.do("GET", link, "", "")
	if w.Code != http.StatusOK || want.Code != http.StatusOK || w.Body.String() != want.Body {
		t.Fatalf("GET %s = %d, not the API's export (%d):\n%s\n---\nwant\n%s", link, w.Code, want.Code, w.Body, want.Body)
	}
	for name, re := range map[string]string{
		"Content-Type":           `^application/json; charset=utf-8$`,
		"Content-Disposition":    `^attachment; filename="my-data-\d{4}-\d\d-\d\d\.json"$`,
		"Cache-Control":          `^no-store$`,
		"Referrer-Policy":        `^no-referrer$`,
		"X-Content-Type-Options": `^nosniff$`,
	} {
		if got := w.Header().Get(name); !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("%s: %q, want it to match %s", name, got, re)
		}
	}
	if strings.Contains(w.Body.String(), "bob@example.org") || strings.Contains(w.Body.String(), "editors-desk") {
		t.Errorf("the download holds another reader's data:\n%s", w.Body)
	}

	if again := e.askDataLink(prefs + "/data"); again != page {
		t.Errorf("the second ask's page differs from the first's:\n%s\n---\nfirst\n%s", again, page)
	}
	if srv.Total() != 1 {
		t.Fatalf("a second ask within 10 minutes: %d mails, want 1", srv.Total())
	}

	erasePage := e.askDataLink(prefs + "/erase")
	if !strings.Contains(erasePage, "Open it from that mailbox to delete your data: it leads to the page where you confirm.") {
		t.Errorf("the page after asking for the erase link:\n%s", erasePage)
	}
	e.askDataLink(prefs + "/erase")
	msgs = srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("after two asks for the erase link: %d mails in all, want 2", len(msgs))
	}
	if link := mailedDataLink(t, msgs[1], ann.Email, "Delete your data from Harbour Gazette"); !strings.HasPrefix(link, "/erase/") {
		t.Errorf("the erase's link is %s", link)
	}
	if !e.present(ann.ID) {
		t.Fatal("asking for the erase link erased the reader")
	}
}

// A link past its hour, or one whose token was signed for another
// purpose, altered or cut, gives no data and erases no one: it gets the
// page saying so, and where a new link comes from. A data link's token
// opens no preferences, unsubscribe or confirm page either.
func TestDataLinkExpiredOrOtherTokensRefused(t *testing.T) {
	e := newSubEnv(t, 0)
	ann, _ := e.prefsReader("ann@example.org", "daily", "daily-news")
	id := ann.ID
	past, later := time.Now().Add(-time.Second), time.Now().Add(time.Hour)

	expired := []string{"/data/" + e.signer.SignUntil(subscribers.TokenDataDownload, id, past), "/erase/" + e.signer.SignUntil(subscribers.TokenDataErase, id, past)}
	download := e.signer.SignUntil(subscribers.TokenDataDownload, id, later)
	erase := e.signer.SignUntil(subscribers.TokenDataErase, id, later)
	bad := []string{
		"/data/" + erase, "/erase/" + download,
		"/data/" + e.signer.Sign(subscribers.TokenPreferences, id, 0),
		"/data/" + e.signer.Sign(subscribers.TokenDataDownload, id, time.Hour),
		"/erase/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0),
		"/erase/" + e.signer.Sign(subscribers.TokenDataErase, id, time.Hour),
		"/erase/" + erase[:len(erase)-3],
		"/data/" + campaigns.TestToken,
	}
	check := func(path, method, heading string) {
		t.Helper()
		w := e.do(method, path, postForm, "")
		body := html.UnescapeString(w.Body.String())
		if w.Code != http.StatusBadRequest || !strings.Contains(body, "<h1>"+heading+"</h1>") ||
			!strings.Contains(body, "open your preferences page from the link in the footer of any mail") {
			t.Errorf("%s %s = %d, want 400 and %q:\n%s", method, path, w.Code, heading, body)
		}
		if strings.Contains(body, ann.Email) || w.Header().Get("Content-Disposition") != "" {
			t.Errorf("%s %s gives the reader's data", method, path)
		}
	}
	for _, path := range expired {
		check(path, "GET", "This link has expired")
	}
	check(expired[1], "POST", "This link has expired")
	for _, path := range bad {
		check(path, "GET", "This link does not work")
		if strings.HasPrefix(path, "/erase/") {
			check(path, "POST", "This link does not work")
		}
	}
	if !e.present(ann.ID) {
		t.Fatal("a refused link erased the reader")
	}

	for _, c := range []struct{ path, heading string }{
		{"/preferences/" + download, "This preferences link does not work"},
		{"/preferences/" + erase, "This preferences link does not work"},
		{"/unsubscribe/" + erase, "This unsubscribe link does not work"},
		{"/confirm/" + download, "This link does not work"},
	} {
		w := e.do("GET", c.path, "", "")
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "<h1>"+c.heading+"</h1>") || strings.Contains(w.Body.String(), ann.Email) {
			t.Errorf("GET %s = %d, want 400 and no address:\n%s", c.path, w.Code, w.Body)
		}
	}
	if w := e.do("POST", "/unsubscribe/"+erase, postForm, "List-Unsubscribe=One-Click"); w.Code != http.StatusBadRequest {
		t.Errorf("a one-click unsubscribe with the erase link's token = %d, want 400", w.Code)
	}
	if sub, err := e.store.Get(context.Background(), id); err != nil || sub.Status != subscribers.StatusConfirmed {
		t.Errorf("the reader after the refused links: %+v, %v", sub, err)
	}
}

// A test send's preferences link gets the page saying so at the data
// pages, and mails no one; an address suppressed for a bounce is mailed
// nothing (one suppressed for another reason is: see
// TestDataLinkSuppressedReadersGetTheirLink), and
// its page says what any other's does.
func TestDataLinkTestSendAndSuppressedMailNothing(t *testing.T) {
	e := newSubEnv(t, 0)
	srv := e.dataLinksOverSMTP()
	for _, suffix := range []string{"/data", "/erase"} {
		for _, method := range []string{"GET", "POST"} {
			path := "/preferences/" + campaigns.TestToken + suffix
			w := e.do(method, path, postForm, "")
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "This link is from a test send") {
				t.Errorf("%s %s = %d, want 200 and the test-send page:\n%s", method, path, w.Code, w.Body)
			}
		}
	}
	_, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	shown := e.askDataLink(prefs + "/data")
	_, suppressed := e.prefsReader("gone@example.org", "daily", "daily-news")
	if err := events.NewStore(e.db).Suppress(context.Background(), "gone@example.org", events.ReasonBounce, "admin"); err != nil {
		t.Fatal(err)
	}
	page := e.askDataLink(suppressed + "/data")
	if want := strings.ReplaceAll(shown, "ann@example.org", "gone@example.org"); page != strings.ReplaceAll(want, prefs, suppressed) {
		t.Errorf("the suppressed reader's page differs:\n%s\n---\nwant\n%s", page, want)
	}
	if srv.Total() != 1 || srv.Count("gone@example.org") != 0 {
		t.Errorf("%d mails, %d to the suppressed address; want 1, none", srv.Total(), srv.Count("gone@example.org"))
	}
}
