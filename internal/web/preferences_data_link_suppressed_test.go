package web

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// A reader who unsubscribed, complained or whose address an editor put
// on the suppression list still gets, from their own preferences link,
// the link to their data they ask for: the suppression list keeps from
// them the mail they did not ask for, not their data. Before, any
// suppressed address was mailed nothing, and the page said a link went.
// Only an address that cannot get mail, one suppressed for a bounce
// (or its domain), is mailed nothing; its page is the one every other
// ask gets, as its preferences page says nothing of the bounce either.
func TestDataLinkSuppressedReadersGetTheirLink(t *testing.T) {
	e := newSubEnv(t, 0)
	srv := e.dataLinksOverSMTP()
	ctx := context.Background()
	ev := events.NewStore(e.db)
	suppress := func(target, reason string) {
		t.Helper()
		if err := ev.Suppress(ctx, target, reason, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	unsubscribe := func(id int64) {
		t.Helper()
		if err := e.store.Unsubscribe(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	_, plainPrefs := e.prefsReader("plain@example.org", "daily", "daily-news")
	plain := e.askDataLink(plainPrefs + "/data")
	samePage := func(who, addr, prefs, page string) {
		t.Helper()
		want := strings.ReplaceAll(strings.ReplaceAll(plain, "plain@example.org", addr), plainPrefs, prefs)
		if page != want {
			t.Errorf("%s: the page after asking differs from any other reader's:\n%s\n---\nwant\n%s", who, page, want)
		}
	}

	for _, c := range []struct {
		who, addr string
		setup     func(id int64)
		mailed    bool
	}{
		{"unsubscribed", "left@example.org", func(id int64) { unsubscribe(id) }, true},
		{"complained", "complained@example.org", func(id int64) { suppress("complained@example.org", events.ReasonComplaint); unsubscribe(id) }, true},
		{"suppressed by an editor", "manual@example.org", func(int64) { suppress("manual@example.org", events.ReasonManual) }, true},
		{"domain suppressed by an editor", "someone@blocked.example", func(int64) { suppress("blocked.example", events.ReasonManual) }, true},
		{"unsubscribed, then bounced", "gone@example.org", func(id int64) { unsubscribe(id); suppress("gone@example.org", events.ReasonBounce) }, false},
		{"domain bounced", "someone@dead.example", func(int64) { suppress("dead.example", events.ReasonBounce) }, false},
	} {
		sub, prefs := e.prefsReader(c.addr, "daily", "daily-news")
		c.setup(sub.ID)
		before := srv.Total()
		for _, purpose := range []string{"/data", "/erase"} {
			page := e.askDataLink(prefs + purpose)
			if purpose == "/data" {
				samePage(c.who, c.addr, prefs, page)
			} else if !strings.Contains(page, "<h1>Check your email</h1>") {
				t.Errorf("%s: the page after asking for the erase link:\n%s", c.who, page)
			}
			if strings.Contains(strings.ToLower(page), "bounce") || strings.Contains(page, "suppress") {
				t.Errorf("%s: the page tells of the address's state:\n%s", c.who, page)
			}
		}
		want := 0
		if c.mailed {
			want = 2
		}
		if got := srv.Count(c.addr); got != want || srv.Total()-before != want {
			t.Errorf("%s: %d mails to the reader, %d in all; want %d", c.who, got, srv.Total()-before, want)
		}
		if prefsPage := e.do("GET", prefs, "", "").Body.String(); strings.Contains(prefsPage, "bounced") {
			t.Errorf("%s: the preferences page tells of a bounce:\n%s", c.who, prefsPage)
		}
	}
	for _, m := range srv.Messages() {
		subject := "Your data at Harbour Gazette"
		if strings.Contains(string(m.Data), "Subject: Delete your data") {
			subject = "Delete your data from Harbour Gazette"
		}
		mailedDataLink(t, m, m.To[0], subject)
	}
}

// A bounced reader, whose preferences page says already that mail to
// the address bounced, is not offered a link by mail that cannot come:
// the data pages say so, and whom to write to instead, and their button,
// pressed anyway, mails nothing and says the same. Before, the page
// offered the button, said a link was sent, and none went.
func TestDataLinkBouncedReaderIsToldNoLinkCanCome(t *testing.T) {
	e := newSubEnv(t, 0)
	e.srv.Settings = settings.NewStore(e.db, t.TempDir(), settingsDefaults)
	srv := e.dataLinksOverSMTP()
	ctx := context.Background()
	sub, prefs := e.prefsReader("bounced@example.org", "daily", "daily-news")
	if _, err := e.db.Write.Exec(`UPDATE subscribers SET status = 'bounced' WHERE id = ?`, sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := events.NewStore(e.db).Suppress(ctx, sub.Email, events.ReasonBounce, "smtp"); err != nil {
		t.Fatal(err)
	}
	if p := e.do("GET", prefs, "", "").Body.String(); !strings.Contains(p, "Mail to this address bounced") {
		t.Fatalf("the preferences page does not say the address bounced:\n%s", p)
	}
	for _, c := range []struct{ path, heading, what string }{
		{"/data", "Download your data", "so we cannot mail you the link to download your data."},
		{"/erase", "Delete your data", "so we cannot mail you the link that deletes your data."},
	} {
		get := html.UnescapeString(e.do("GET", prefs+c.path, "", "").Body.String())
		asked := e.askDataLink(prefs + c.path)
		for _, page := range []string{get, asked} {
			for _, want := range []string{
				"<h1>" + c.heading + "</h1>",
				"Mail to <strong>bounced@example.org</strong> bounced, " + c.what,
				`Write to us at <a href="mailto:newsletter@localhost">newsletter@localhost</a> to`,
				`<a href="` + prefs + `">Back to your preferences</a>`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("%s: the page lacks %q:\n%s", c.path, want, page)
				}
			}
			if strings.Contains(page, "<button") || strings.Contains(page, "Check your email") || strings.Contains(page, "We sent") {
				t.Errorf("%s: the page offers or says a mail:\n%s", c.path, page)
			}
		}
	}
	if srv.Total() != 0 {
		t.Errorf("%d mails to a bounced address", srv.Total())
	}
}
