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

// The check-email page's words on a second signup within 10 minutes, each
// walked through as a reader meets it: no new mail comes at once; the
// link of the mail they have joins the lists chosen since too, also once
// followed before; not followed, a mail naming every list chosen comes
// later, and then only its link works. The page
// said no second mail was sent and the first link confirmed every list:
// a reader who waited got a second mail, and the first link then said it
// does not work.
func TestCheckEmailPageTellsWhatASecondSignupDoes(t *testing.T) {
	e := newSubEnv(t, 0)
	page := e.do("GET", "/subscribe/check-email", "", "").Body.String()
	for _, want := range []string{
		"Signed up again within 10 minutes? No new mail comes at once",
		"the link in the mail you have also joins the lists you chose since",
		// When, said as "later": after 10 minutes, or longer when mails
		// went unanswered (the wait doubles), which took two more
		// paragraphs of small print to say.
		"If you do not follow it, a mail naming them all comes later.",
		"Only the link in the newest mail works.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the check-email page does not say %q:\n%s", want, page)
		}
	}
	for _, untrue := range []string{"No second mail is sent", "even if you have clicked it already"} {
		if strings.Contains(page, untrue) {
			t.Errorf("the check-email page still says %q:\n%s", untrue, page)
		}
	}

	signup := func(email, list string) {
		t.Helper()
		w := e.form("/subscribe", url.Values{"email": {email}, "list": {list}})
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscribe/check-email" {
			t.Fatalf("signup of %s for %s: %d %q", email, list, w.Code, w.Header().Get("Location"))
		}
		e.runConfirmations()
	}
	mails := func(to string) []string {
		t.Helper()
		var raw []string
		for _, m := range e.sent.all() {
			if len(m.To) == 1 && m.To[0] == to {
				raw = append(raw, strings.ReplaceAll(m.Raw, "=\r\n", ""))
			}
		}
		return raw
	}
	lists := func(id int64) string {
		t.Helper()
		var names []string
		rows, err := e.db.Read.Query(`SELECT l.name FROM subscriptions s JOIN lists l ON l.id = s.list_id
			WHERE s.subscriber_id = ? AND s.status = 'active' ORDER BY l.name`, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		return strings.Join(names, ", ")
	}

	// Not followed: the mail naming both lists comes once the interval
	// is over, and the first link no longer works.
	signup("wait@example.com", "daily-news")
	id := e.lastID()
	signup("wait@example.com", "weekend-culture")
	if n := len(mails("wait@example.com")); n != 1 {
		t.Fatalf("%d mails after the second signup, want the first one only", n)
	}
	// The 10 minutes pass: the mail and the signup since are moved back
	// together, and the first mail's link is the one of its time then.
	sent := time.Now().UTC().Add(-subscribers.ConfirmInterval - time.Minute)
	if _, err := e.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`, sent, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Write.Exec(`UPDATE signup_requests SET requested_at = ? WHERE subscriber_id = ?`, sent.Add(time.Second), id); err != nil {
		t.Fatal(err)
	}
	first := "/confirm/" + e.signer.Sign(subscribers.ConfirmPurpose(sent), id, subscribers.ConfirmTTL)
	if _, err := e.store.Reconcile(context.Background(), e.queue.Client); err != nil {
		t.Fatal(err)
	}
	e.runConfirmations()
	got := mails("wait@example.com")
	if len(got) != 2 || !strings.Contains(got[1], "Daily News") || !strings.Contains(got[1], "Weekend Culture") {
		t.Fatalf("once the 10 minutes are over: %d mails, want a second naming both lists:\n%s", len(got), got[len(got)-1])
	}
	if w := e.do("GET", first, "", ""); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "This link does not work") {
		t.Errorf("the first mail's link after the second mail: %d\n%s", w.Code, w.Body)
	}
	m := confirmLink.FindStringSubmatch(got[1])
	if m == nil {
		t.Fatalf("no confirm link in\n%s", got[1])
	}
	if w := e.do("GET", m[1], "", ""); w.Code != http.StatusOK || lists(id) != "Daily News, Weekend Culture" {
		t.Errorf("the newest link: %d, lists %q", w.Code, lists(id))
	}

	// Followed before the second signup, and again after it: no new mail
	// comes, and the same link joins the list chosen since.
	signup("again@example.com", "daily-news")
	id = e.lastID()
	got = mails("again@example.com")
	m = confirmLink.FindStringSubmatch(got[0])
	if m == nil {
		t.Fatalf("no confirm link in\n%s", got[0])
	}
	if w := e.do("GET", m[1], "", ""); w.Code != http.StatusOK {
		t.Fatalf("the link: %d\n%s", w.Code, w.Body)
	}
	signup("again@example.com", "weekend-culture")
	if n := len(mails("again@example.com")); n != 1 {
		t.Fatalf("%d mails after the second signup of a confirmed reader, want the first one only", n)
	}
	if w := e.do("GET", m[1], "", ""); w.Code != http.StatusOK || lists(id) != "Daily News, Weekend Culture" {
		t.Errorf("the link followed again: %d, lists %q", w.Code, lists(id))
	}
}
