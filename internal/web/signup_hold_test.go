package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The review's walk: a reader signs up for one list, a second later for
// another with a name. One mail goes; its link confirms both and the name.
// The page after each signup says what is true of both. After the reader
// unsubscribes, the same link says so, not that it is broken.
func TestSecondSignupWithinIntervalByForm(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, f := range []url.Values{
		{"email": {"twice@example.com"}, "list": {"daily-news"}},
		{"email": {"twice@example.com"}, "name": {"Tess"}, "list": {"weekend-culture"}},
	} {
		w := e.form("/subscribe", f)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscribe/check-email" {
			t.Fatalf("signup: %d %q", w.Code, w.Header().Get("Location"))
		}
		e.runConfirmations()
	}
	w := e.do("GET", "/subscribe/check-email", "", "")
	if body := w.Body.String(); !strings.Contains(body, "No new mail comes at once: the link in the mail you have") ||
		!strings.Contains(body, "also joins the lists you chose since") || strings.Contains(body, "We sent you a mail") {
		t.Errorf("check-email page:\n%s", body)
	}
	mails := e.sent.all()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the first one only", len(mails))
	}
	m := confirmLink.FindStringSubmatch(strings.ReplaceAll(mails[0].Raw, "=\r\n", ""))
	if m == nil {
		t.Fatalf("no confirm link in\n%s", mails[0].Raw)
	}
	w = e.do("GET", m[1], "", "")
	if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, "Daily News") || !strings.Contains(body, "Weekend Culture") {
		t.Fatalf("confirm: %d\n%s", w.Code, body)
	}
	id := e.lastID()
	if sub, err := e.store.Get(t.Context(), id); err != nil || sub.Name != "Tess" {
		t.Errorf("after the click: %+v, %v", sub, err)
	}

	if w := e.form("/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, id, 0), url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK {
		t.Fatalf("unsubscribe: %d", w.Code)
	}
	w = e.do("GET", m[1], "", "")
	if body := w.Body.String(); w.Code != http.StatusBadRequest || !strings.Contains(body, "You unsubscribed after this mail") ||
		strings.Contains(body, "incomplete") || !strings.Contains(body, `href="/subscribe"`) {
		t.Errorf("the link after an unsubscribe: %d\n%s", w.Code, body)
	}
	if w := e.do("GET", "/confirm/not-a-token", "", ""); !strings.Contains(w.Body.String(), "incomplete") {
		t.Errorf("a bad link: %d\n%s", w.Code, w.Body)
	}
}
