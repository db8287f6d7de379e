package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// adminOf logs an admin in to e's server, with the real templates.
func (e *hookEnv) adminOf() *adminClient {
	e.t.Helper()
	tm, err := loadTemplates()
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv.Templates = tm
	if _, err := e.srv.Admins.SetAdmin(context.Background(), "editor@example.com", "correct horse battery"); err != nil {
		e.t.Fatal(err)
	}
	ts := httptest.NewServer(e.h)
	e.t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	a := &adminClient{t: e.t, base: ts.URL, c: c}
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login: %d", resp.StatusCode)
	}
	return a
}

// historyRows are the rows of the history table on a reader's page, each
// as its cells' text joined by " | ".
func historyRows(t *testing.T, page string) []string {
	t.Helper()
	start := strings.Index(page, `id="history"`)
	if start < 0 {
		return nil
	}
	card := page[start:]
	card = card[:strings.Index(card, "</table>")]
	tag := regexp.MustCompile(`<[^>]+>`)
	var out []string
	for _, row := range regexp.MustCompile(`(?s)<tr>\s*<td.*?</tr>`).FindAllString(card, -1) {
		var cells []string
		for _, cell := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(row, -1) {
			cells = append(cells, strings.TrimSpace(tag.ReplaceAllString(cell[1], "")))
		}
		out = append(out, strings.Join(cells, " | "))
	}
	return out
}

// A reader who unsubscribed through a provider has it on their page, once
// however often the provider told it: what, through whom, when, and the
// campaign when the mail named its delivery. One told after the reader
// joined again says it changed nothing. None of them is a bounce or a
// complaint on the events page or in the rates.
func TestProviderUnsubscribeShowsOnTheReadersPage(t *testing.T) {
	e := newHookEnv(t)
	for _, addr := range []string{"left@example.com", "clicked@example.com", "group@example.com", "back@example.com", "late@example.com"} {
		e.addReader(addr, "")
	}
	// Late joined again on 1 December, after Postmark's report of 30
	// November.
	e.exec(`UPDATE subscribers SET confirmed_at = '2026-12-01 08:00:00+00:00' WHERE email = 'late@example.com'`)
	// The drop's envelope sender is the VERP address of left's delivery.
	drop := bytes.Replace(e.fixture("mailgun_suppress_unsubscribe"), []byte(`"sender": "news@news.example.org"`),
		[]byte(`"sender": "`+e.verp.Address(e.campaign, e.readers["left@example.com"])+`"`), 1)
	late := bytes.Replace(e.fixture("postmark_subscription_change"), []byte(`"left@example.com"`), []byte(`"late@example.com"`), 1)
	for i := range 2 { // a provider retrying each
		for name, send := range map[string]func() int{
			"mailgun unsubscribed": func() int { return e.send("mailgun", "mailgun_unsubscribed") },
			"mailgun drop": func() int {
				return e.post("/webhooks/mailgun", nil, mailgunSign(drop, hookMailgun, e.now, "token-drop"))
			},
			"sendgrid":      func() int { return e.send("sendgrid", "sendgrid_unsubscribe") },
			"postmark":      func() int { return e.send("postmark", "postmark_subscription_change") },
			"postmark late": func() int { return e.post("/webhooks/postmark", basicAuth(hookPostmark), late) },
		} {
			if got := send(); got != http.StatusOK {
				t.Fatalf("%s, time %d: status %d, want 200", name, i+1, got)
			}
		}
	}

	a := e.adminOf()
	when := func(sec int64) string { return time.Unix(sec, 0).UTC().Format("2 January 2006, 15:04 UTC") }
	changed := time.Date(2026, 11, 30, 10, 20, 31, 0, time.UTC).Unix() // Postmark's ChangedAt
	today := time.Now().UTC().Format("2 January 2006")
	hello := fmt.Sprintf(`<a href="/admin/campaigns/%d"`, e.campaign)
	for addr, want := range map[string][]string{
		"left@example.com": {
			when(changed) + " | unsubscribed | Postmark | not known | —",
			when(1795983900) + " | unsubscribed | Mailgun | Hello | Not delivering to unsubscribed address",
			when(1795955400) + " | unsubscribed | SendGrid | not known | —",
		},
		"clicked@example.com": {when(1795984020) + " | unsubscribed | Mailgun | not known | —"},
		"group@example.com":   {when(1795955460) + " | unsubscribed | SendGrid | not known | —"},
		"late@example.com": {when(changed) + " | unsubscribe ignored | Postmark | not known | " +
			"Changed nothing: they had joined again since (reported " + today},
		"back@example.com": nil,
	} {
		_, page := a.get(fmt.Sprintf("/admin/subscribers/%d", e.readers[addr]))
		got := historyRows(t, page)
		if len(got) != len(want) {
			t.Errorf("%s's page has %d events, want %d: %q", addr, len(got), len(want), got)
			continue
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("%s's event %d reads\n%q\nwant it to start\n%q", addr, i+1, got[i], want[i])
			}
		}
		if addr == "left@example.com" && !strings.Contains(page, hello+` style="overflow-wrap:anywhere">Hello</a>`) {
			t.Errorf("left's page does not link the campaign of the dropped mail:\n%s", page)
		}
		if linked := strings.Contains(page, `<a href="#history">`); linked != (want != nil) {
			t.Errorf("%s's page links its history: %t, want %t", addr, linked, want != nil)
		}
	}
	if v := e.view("late@example.com"); v.Status != "confirmed" || v.Lists != "active,active" {
		t.Errorf("late, who joined again after the unsubscribe: %+v", v)
	}
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM events WHERE kind = 'unsubscribe'`).Scan(&n); err != nil || n != 6 {
		t.Errorf("%d unsubscribes stored (%v), want 6: each once", n, err)
	}
	if bounces, complaints := e.rates(); bounces != 0 || complaints != 0 {
		t.Errorf("health counts %d bounces and %d complaints, want none", bounces, complaints)
	}
	if _, page := a.get("/admin/events"); !strings.Contains(page, "No bounces or complaints recorded yet.") {
		t.Errorf("the events page lists unsubscribes:\n%s", page)
	}
}

// A reader who joined again and leaves again through the link of the
// same mail is unsubscribed again: a new click is a new event, though the
// mail names the same delivery, where a retry of either changes nothing.
// Their page shows both, with the campaign the Message-ID names.
func TestProviderUnsubscribeAgainFromTheSameMail(t *testing.T) {
	e := newHookEnv(t)
	e.addReader("clicked@example.com", "")
	verp := e.verp.Address(e.campaign, e.readers["clicked@example.com"])
	messageID := verp[:strings.LastIndexByte(verp, '@')] + "@news.example.org"
	first := bytes.Replace(e.fixture("mailgun_unsubscribed"), []byte("20261130094700.12.DEF@news.example.org"), []byte(messageID), 1)
	second := strings.NewReplacer(`"mg-unsubscribed-0012"`, `"mg-unsubscribed-0013"`, `1795984020.5`, `1796115600`).Replace(string(first))
	send := func(body []byte, token string) {
		t.Helper()
		if got := e.post("/webhooks/mailgun", nil, mailgunSign(body, hookMailgun, e.now, token)); got != http.StatusOK {
			t.Fatalf("status %d, want 200", got)
		}
	}
	send(first, "token-first")
	// Joined again on 30 November, between the two clicks.
	e.exec(`UPDATE subscribers SET status = 'confirmed', confirmed_at = '2026-11-30 08:00:00+00:00' WHERE id = ?`, e.readers["clicked@example.com"])
	e.exec(`UPDATE subscriptions SET status = 'active', updated_at = '2026-11-30 08:00:00+00:00' WHERE subscriber_id = ?`, e.readers["clicked@example.com"])
	send(first, "token-first-again") // Mailgun retrying the first
	if v := e.view("clicked@example.com"); v.Status != "confirmed" {
		t.Fatalf("after a retry of the first click: %+v, want confirmed", v)
	}
	send([]byte(second), "token-second")
	send([]byte(second), "token-second") // and the second
	v := e.view("clicked@example.com")
	if v.Status != "unsubscribed" || v.Lists != "unsubscribed,unsubscribed" || v.Events != "unsubscribe,unsubscribe" {
		t.Errorf("after the second click: %+v, want unsubscribed with two unsubscribes stored", v)
	}
	_, page := e.adminOf().get(fmt.Sprintf("/admin/subscribers/%d", e.readers["clicked@example.com"]))
	got := historyRows(t, page)
	want := []string{
		"1 December 2026, 09:00 UTC | unsubscribed | Mailgun | Hello | —",
		"29 November 2026, 20:27 UTC | unsubscribed | Mailgun | Hello | —",
	}
	if !slices.Equal(want, got) {
		t.Errorf("the page's events:\n%q\nwant\n%q", got, want)
	}
}
