package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The page each confirmation link of one reader gets, as the README
// tells it: only the latest mail's link works; an older one gets the
// page of a link that does not work, which names being replaced by a
// newer one among its reasons, before and after the newer link is
// followed, and for a reader who unsubscribed in between and signed up
// again. That page is byte for byte the one a made-up token gets: an
// older link's signature names its mail's time, which is no longer
// stored, so it is checked no better than a forged one and tells nothing
// of the address. The latest link followed after the reader unsubscribed
// says that instead.
func TestConfirmOlderLinkPages(t *testing.T) {
	e := newSubEnv(t, 0)
	signup := func() string {
		t.Helper()
		if w := e.form("/subscribe", url.Values{"email": {"olive@example.com"}, "list": {"daily-news"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("signup: %d", w.Code)
		}
		e.runConfirmations()
		mails := e.sent.all()
		m := confirmLink.FindStringSubmatch(strings.ReplaceAll(mails[len(mails)-1].Raw, "=\r\n", ""))
		if m == nil {
			t.Fatalf("no confirm link in\n%s", mails[len(mails)-1].Raw)
		}
		return m[1]
	}
	page := func(link string) (int, string) {
		t.Helper()
		w := e.do("GET", link, "", "")
		return w.Code, w.Body.String()
	}
	signup()
	id := e.lastID()
	// The first mail went out longer than the 10 minutes ago, with the
	// link of its time; a second signup then mails a newer one at once.
	old := time.Now().UTC().Add(-subscribers.ConfirmInterval - time.Minute)
	if _, err := e.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`, old, id); err != nil {
		t.Fatal(err)
	}
	first := "/confirm/" + e.signer.Sign(subscribers.ConfirmPurpose(old), id, subscribers.ConfirmTTL)
	second := signup()
	if second == first {
		t.Fatal("no newer mail")
	}
	_, forged := page("/confirm/" + e.signer.Sign(subscribers.TokenConfirm+"@1", id, subscribers.ConfirmTTL))
	if !strings.Contains(forged, "<h1>This link does not work</h1>") || !strings.Contains(forged, "replaced by a newer one") {
		t.Fatalf("a made-up link's page:\n%s", forged)
	}
	stale := func(when, link string) {
		t.Helper()
		if code, body := page(link); code != http.StatusBadRequest || body != forged {
			t.Errorf("the older link %s: %d, want the page of a made-up link (400):\n%s", when, code, body)
		}
	}

	stale("before the newer one is followed", first)
	if st := e.status(id); st != subscribers.StatusPending {
		t.Fatalf("the older link changed the reader: %s", st)
	}
	if code, body := page(second); code != http.StatusOK || !strings.Contains(body, "You're subscribed") {
		t.Fatalf("the latest link: %d\n%s", code, body)
	}
	stale("after the newer one confirmed", first)
	if code, body := page(second); code != http.StatusOK || !strings.Contains(body, "You're subscribed") {
		t.Errorf("the latest link a second time: %d\n%s", code, body)
	}

	if w := e.form("/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, id, 0), url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK {
		t.Fatalf("unsubscribe: %d", w.Code)
	}
	if code, body := page(second); code != http.StatusBadRequest || !strings.Contains(body, "<h1>You unsubscribed after this mail</h1>") {
		t.Errorf("the latest link after an unsubscribe: %d\n%s", code, body)
	}
	stale("after an unsubscribe", first)

	// Signed up again: a reader who unsubscribed since the last mail gets
	// a new one at once, and confirms with it.
	third := signup()
	stale("of the first mail, once a third went", first)
	stale("of the mail before the unsubscribe, once a newer one went", second)
	if code, body := page(third); code != http.StatusOK || !strings.Contains(body, "You're subscribed") {
		t.Fatalf("the newest link: %d\n%s", code, body)
	}
	stale("of the first mail, after the reader confirmed again", first)
	stale("of the mail before the unsubscribe, after the reader confirmed again", second)
	if st := e.status(id); st != subscribers.StatusConfirmed {
		t.Errorf("after the walk: %s, want confirmed", st)
	}
}
