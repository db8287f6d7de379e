package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A confirmation link keeps working for a reader who confirmed with it,
// however often it is clicked, also once a signup of theirs for lists
// they are on has mailed them the already-subscribed mail ("Your
// subscription to …"), which carries no confirmation link of its own
// and replaces none. It still works only for its reader, for the latest
// confirmation mail (a newer one for more lists ends it), for the
// address it was mailed to, and not once the reader is erased; a
// made-up link gets the page it always got.
func TestConfirmLinkWorksAfterAlreadySubscribedMail(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	// signup signs addr up for lists by the form, the mail going out
	// 11 minutes before now (past ConfirmInterval), and returns the
	// path of the mail's confirmation link, "" when the mail has none,
	// with the mail's subject.
	signup := func(addr string, lists ...string) (link, subject string) {
		t.Helper()
		if w := e.form("/subscribe", url.Values{"email": {addr}, "list": lists}); w.Code != http.StatusSeeOther {
			t.Fatalf("signup of %s: %d", addr, w.Code)
		}
		e.signups.Flush()
		// The mail was flagged now: dated 11 minutes back, it is found
		// and sent by the reconciler, as a mail lost 11 minutes ago is,
		// and its link is signed for that time.
		old := time.Now().UTC().Add(-subscribers.ConfirmInterval - time.Minute)
		if _, err := e.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE email_key = ? AND confirm_queued = 1`, old, addr); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Reconcile(ctx, e.queue.Client); err != nil {
			t.Fatal(err)
		}
		before := len(e.sent.all())
		e.runConfirmations()
		mails := e.sent.all()
		if len(mails) != before+1 {
			t.Fatalf("signup of %s: %d mails, want 1", addr, len(mails)-before)
		}
		raw := strings.ReplaceAll(mails[len(mails)-1].Raw, "=\r\n", "")
		for _, line := range strings.Split(raw, "\r\n") {
			if s, ok := strings.CutPrefix(line, "Subject: "); ok {
				subject = s
				break
			}
		}
		if m := confirmLink.FindStringSubmatch(raw); m != nil {
			link = m[1]
		}
		return link, subject
	}
	page := func(link string) (int, string) {
		t.Helper()
		w := e.do("GET", link, "", "")
		return w.Code, w.Body.String()
	}
	subscribed := func(when, link string) {
		t.Helper()
		if code, body := page(link); code != http.StatusOK || !strings.Contains(body, "You're subscribed") || !strings.Contains(body, "Daily News") {
			t.Errorf("the confirmation link %s: %d, want the confirmed page naming Daily News:\n%s", when, code, body)
		}
	}

	alice, _ := signup("alice@example.com", "daily-news")
	if alice == "" {
		t.Fatal("no confirmation link in alice's mail")
	}
	aliceID := e.lastID()
	bob, _ := signup("bob@example.com", "daily-news")
	bobID := e.lastID()
	subscribed("followed", alice)
	subscribed("followed", bob)
	_, forged := page("/confirm/" + e.signer.Sign(subscribers.TokenConfirm+"@1", aliceID, subscribers.ConfirmTTL))
	if !strings.Contains(forged, "<h1>This link does not work</h1>") {
		t.Fatalf("a made-up link's page:\n%s", forged)
	}
	stale := func(when, link string) {
		t.Helper()
		if code, body := page(link); code != http.StatusBadRequest || body != forged {
			t.Errorf("%s: %d, want the page of a made-up link (400):\n%s", when, code, body)
		}
	}

	// Signed up again for the list she is on, more than 10 minutes on:
	// the already-subscribed mail, without a confirmation link.
	link, subject := signup("alice@example.com", "daily-news")
	if link != "" || subject != "Your subscription to Harbour Gazette" {
		t.Fatalf("alice's second mail: %q, with confirmation link %q; want the already-subscribed mail without one", subject, link)
	}
	subscribed("after the already-subscribed mail", alice)
	subscribed("after the already-subscribed mail, again", alice)
	if w := e.do("POST", alice, "application/x-www-form-urlencoded", ""); w.Code != http.StatusOK {
		t.Errorf("the button (POST) of the confirmation link after the already-subscribed mail: %d", w.Code)
	}
	if st := e.status(aliceID); st != subscribers.StatusConfirmed {
		t.Errorf("alice is %s, want confirmed", st)
	}

	// Still only alice's: a link signed for her mail's time but for bob
	// fails, as does one of a time no mail of hers had; bob's own link
	// opens his page, not hers.
	var aliceSent time.Time
	if err := e.db.Read.QueryRow(`SELECT confirm_sent_at FROM subscribers WHERE id = ?`, aliceID).Scan(&aliceSent); err != nil {
		t.Fatal(err)
	}
	stale("alice's mail time signed for bob", "/confirm/"+e.signer.Sign(subscribers.ConfirmPurpose(aliceSent), bobID, subscribers.ConfirmTTL))
	stale("a time of no mail of alice's", "/confirm/"+e.signer.Sign(subscribers.ConfirmPurpose(aliceSent.Add(-time.Hour)), aliceID, subscribers.ConfirmTTL))
	if _, body := page(bob); !strings.Contains(body, e.srv.preferencesURL(bobID)) || strings.Contains(body, e.srv.preferencesURL(aliceID)) {
		t.Errorf("bob's link does not open bob's page:\n%s", body)
	}
	if _, body := page(alice); !strings.Contains(body, e.srv.preferencesURL(aliceID)) {
		t.Errorf("alice's link does not open alice's page:\n%s", body)
	}

	// A newer confirmation, for another list, replaces her link: only the
	// newer one works from then on, the already-subscribed mail between
	// them or not.
	newer, _ := signup("alice@example.com", "weekend-culture")
	if newer == "" || newer == alice {
		t.Fatalf("no newer confirmation link: %q", newer)
	}
	stale("alice's first link once a newer confirmation went", alice)
	subscribed("the newer link", newer)
	link, subject = signup("alice@example.com", "daily-news", "weekend-culture")
	if link != "" || subject != "Your subscription to Harbour Gazette" {
		t.Fatalf("alice's fourth mail: %q, link %q; want the already-subscribed mail", subject, link)
	}
	subscribed("the newer link after a second already-subscribed mail", newer)
	stale("alice's first link after a second already-subscribed mail", alice)

	// An editor gives alice another address: the link mailed to the old
	// one no longer opens her page.
	if w := e.api("PATCH", "/api/v1/subscribers/"+itoa(aliceID), `{"email":"alice@elsewhere.example"}`); w.Code != http.StatusOK {
		t.Fatalf("change alice's address: %d %s", w.Code, w.Body)
	}
	stale("the link mailed to alice's old address", newer)

	// Bob, who has had his already-subscribed mail too, is erased: his
	// link gets what it got before this change, an erased reader's
	// confirmation link being no link at all.
	if _, subject := signup("bob@example.com", "daily-news"); subject != "Your subscription to Harbour Gazette" {
		t.Fatalf("bob's second mail: %q", subject)
	}
	subscribed("bob's, after his already-subscribed mail", bob)
	if err := e.store.Erase(ctx, bobID); err != nil {
		t.Fatal(err)
	}
	stale("the link of an erased reader", bob)
}
