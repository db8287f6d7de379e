package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The unsubscribe link of a list's mail leaves that list only, by the
// page's button or a mail program's one-click, and the page says which
// lists the reader keeps and links to the page that ends everything; a
// reader on that list alone gets the page that stops all mail, and leaves
// everything. A GET changes nothing.
func TestUnsubscribeLinkOfAListsMail39(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	listID := func(slug string) int64 {
		l, err := e.store.ListBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	daily, weekend := listID("daily-news"), listID("weekend-culture")
	lists := func(id int64) []string {
		sub, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return sub.Lists
	}

	for _, c := range unsubscribePosts {
		id := e.addConfirmed(c.email) // on Daily News and Weekend Culture
		link := "/unsubscribe/" + e.signer.SignList(id, daily)
		all := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0)
		page := e.do("GET", link, "", "")
		body := page.Body.String()
		for _, want := range []string{"<title>Unsubscribe from Daily News", "<h1>Unsubscribe from Daily News</h1>",
			"You will still get Weekend Culture.", `<button type="submit">Unsubscribe from Daily News</button>`,
			`<a href="` + all + `">Unsubscribe from everything</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the list's page lacks %q:\n%s", c.email, want, body)
			}
		}
		if got := lists(id); len(got) != 2 {
			t.Fatalf("%s: a GET changed the lists to %v", c.email, got)
		}
		w := e.form(link, c.form)
		if w.Code != c.code {
			t.Errorf("%s: POST = %d, want %d", c.email, w.Code, c.code)
		}
		if got := lists(id); len(got) != 1 || got[0] != "weekend-culture" {
			t.Errorf("%s: lists %v after leaving Daily News, want weekend-culture", c.email, got)
		}
		if st := e.status(id); st != subscribers.StatusConfirmed {
			t.Errorf("%s: status %s after leaving one list, want confirmed", c.email, st)
		}
		done := e.do("GET", link, "", "").Body.String()
		if c.code == http.StatusOK {
			done = w.Body.String() // the one-click's own answer
		}
		for _, want := range []string{"<h1>You left Daily News</h1>", "You still get Weekend Culture.",
			`<a href="` + all + `">Unsubscribe from everything</a>`} {
			if !strings.Contains(done, want) {
				t.Errorf("%s: the page after leaving lacks %q:\n%s", c.email, want, done)
			}
		}
		// The page that ends everything ends the other list too.
		if w := e.form(all, url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK || e.status(id) != subscribers.StatusUnsubscribed {
			t.Errorf("%s: unsubscribe from everything: %d, status %s", c.email, w.Code, e.status(id))
		}
		if page := e.do("GET", link, "", "").Body.String(); !strings.Contains(page, "<h1>You are unsubscribed</h1>") {
			t.Errorf("%s: the list's page once everything ended:\n%.600s", c.email, page)
		}
	}

	// On Weekend Culture alone: its link stops all mail.
	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "one@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}
	link := "/unsubscribe/" + e.signer.SignList(sub.ID, weekend)
	if body := e.do("GET", link, "", "").Body.String(); !strings.Contains(body, "<h1>Unsubscribe</h1>") || !strings.Contains(body, "Stop all mail to") {
		t.Errorf("the page of a reader's only list is not the stop-all page:\n%s", body)
	}
	if w := e.form(link, url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK || e.status(sub.ID) != subscribers.StatusUnsubscribed {
		t.Errorf("leaving one's only list: %d, status %s; want 200, unsubscribed", w.Code, e.status(sub.ID))
	}

	// The list deleted since the mail, the reader on another: the page
	// asks to stop all mail, which its button does; it does not say done.
	two := e.addConfirmed("two@example.com")
	gone := "/unsubscribe/" + e.signer.SignList(two, daily)
	if err := e.store.DeleteList(ctx, "daily-news"); err != nil {
		t.Fatal(err)
	}
	if body := e.do("GET", gone, "", "").Body.String(); !strings.Contains(body, "<h1>Unsubscribe</h1>") || !strings.Contains(body, "Stop all mail to") {
		t.Errorf("the page of a deleted list's link:\n%s", body)
	}
	if w := e.form(gone, url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK || e.status(two) != subscribers.StatusUnsubscribed {
		t.Errorf("one-click of a deleted list's link: %d, status %s; want 200, unsubscribed", w.Code, e.status(two))
	}

	// A reader who left one list and then bounced is mailed nothing, yet
	// has not asked to leave everything: the page offers that, it does
	// not say it is done, and its button records it.
	reader, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "three@example.com", Status: subscribers.StatusConfirmed,
		Lists: []string{"weekend-culture", "editors-desk"}})
	if err != nil {
		t.Fatal(err)
	}
	three := reader.ID
	left := "/unsubscribe/" + e.signer.SignList(three, weekend)
	if err := e.store.LeaveList(ctx, three, weekend); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Write.Exec(`UPDATE subscribers SET status = 'bounced' WHERE id = ?`, three); err != nil {
		t.Fatal(err)
	}
	if body := e.do("GET", left, "", "").Body.String(); !strings.Contains(body, "<h1>Unsubscribe</h1>") || strings.Contains(body, "You are unsubscribed") {
		t.Errorf("the page of a bounced reader who left one list:\n%s", body)
	}
	if w := e.form(left, url.Values{"List-Unsubscribe": {"One-Click"}, "page": {"1"}}); w.Code != http.StatusSeeOther {
		t.Errorf("the page's button: %d, want 303", w.Code)
	}
	if sub, _ := e.store.Get(ctx, three); sub.UnsubscribedAt == nil || len(sub.Lists) != 0 {
		t.Errorf("after the button: unsubscribed at %v, lists %v; want asked to leave, on none", sub.UnsubscribedAt, sub.Lists)
	}
	if body := e.do("GET", left, "", "").Body.String(); !strings.Contains(body, "<h1>You are unsubscribed</h1>") {
		t.Errorf("the page after the button:\n%.600s", body)
	}

	// A list token for a reader erased since: the erased page, 200.
	if err := e.store.Erase(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"GET", "POST"} {
		if w := e.do(m, link, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "Stop all mail") {
			t.Errorf("%s of an erased reader's list link: %d\n%s", m, w.Code, w.Body)
		}
	}
}
