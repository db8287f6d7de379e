package web

import (
	"net/http"
	"strings"
	"testing"
)

// A confirmation link opened after its list was deleted said "You're
// subscribed. Thank you for confirming your address." and made the reader
// confirmed on no list. It now answers 410 "This list no longer exists",
// confirms nothing and changes nothing, at every click, offering the
// signup form to a reader not confirmed and their preferences page to a
// confirmed one, who keeps their lists. A link whose lists are partly
// left confirms those, and its page names them alone.
func TestConfirmAfterTheListWasDeleted(t *testing.T) {
	e := newSubEnv(t, 0)
	if w := e.api("POST", "/api/v1/lists", `{"slug":"tide-tables","name":"Tide Tables","public":true}`); w.Code != http.StatusCreated {
		t.Fatalf("create list: %d %s", w.Code, w.Body)
	}
	signup := func(body string) {
		t.Helper()
		if w := e.json("POST", "/api/v1/subscriptions", body); w.Code >= 300 {
			t.Fatalf("signup: %d %s", w.Code, w.Body)
		}
		e.runConfirmations()
	}
	signup(`{"email":"ann@example.com","lists":["tide-tables"]}`)
	ann := e.lastID()
	annLink := "/confirm/" + e.confirmToken(ann)

	e.addConfirmed("bo@example.com") // on Daily News and Weekend Culture
	bo := e.lastID()
	signup(`{"email":"bo@example.com","lists":["tide-tables"]}`)
	boLink := "/confirm/" + e.confirmToken(bo)

	signup(`{"email":"cy@example.com","lists":["tide-tables","daily-news"]}`)
	cy := e.lastID()
	cyLink := "/confirm/" + e.confirmToken(cy)

	if w := e.api("DELETE", "/api/v1/lists/tide-tables", ""); w.Code >= 300 {
		t.Fatalf("delete list: %d %s", w.Code, w.Body)
	}

	for i := 0; i < 2; i++ {
		w := e.do("GET", annLink, "", "")
		body := w.Body.String()
		if w.Code != http.StatusGone || !strings.Contains(body, "<h1>This list no longer exists</h1>") || !strings.Contains(body, `href="/subscribe"`) {
			t.Errorf("ann's click %d: %d\n%s", i+1, w.Code, body)
		}
		if strings.Contains(body, "subscribed") || strings.Contains(body, "/preferences/") {
			t.Errorf("ann's click %d says subscribed or links preferences:\n%s", i+1, body)
		}
		if got := e.status(ann); got != "pending" {
			t.Errorf("ann's click %d made them %s", i+1, got)
		}

		w = e.do("GET", boLink, "", "")
		body = w.Body.String()
		if w.Code != http.StatusGone || !strings.Contains(body, "This list no longer exists") || !strings.Contains(body, "/preferences/") {
			t.Errorf("bo's click %d: %d\n%s", i+1, w.Code, body)
		}
		sub, err := e.store.Get(t.Context(), bo)
		if err != nil || sub.Status != "confirmed" || strings.Join(sub.Lists, ",") != "daily-news,weekend-culture" {
			t.Errorf("bo's click %d: %+v %v", i+1, sub, err)
		}
	}

	w := e.do("GET", cyLink, "", "")
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "You're subscribed") || !strings.Contains(body, "Daily News") || strings.Contains(body, "Tide Tables") {
		t.Errorf("cy's click: %d\n%s", w.Code, body)
	}
	if got := e.status(cy); got != "confirmed" {
		t.Errorf("cy is %s", got)
	}
}
