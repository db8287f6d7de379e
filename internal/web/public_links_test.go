package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The unsubscribe page offers, besides stopping all mail, the reader's
// preferences page to leave one list; its link opens that reader's page.
// A reader erased since gets no such link.
func TestUnsubscribePageOffersPreferences(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	ann, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news", "weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}
	w := e.do("GET", "/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, ann.ID, 0), "", "")
	link := regexp.MustCompile(`leave one list[^<]*<a href="(/preferences/[^"]+)">`).FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || link == nil {
		t.Fatalf("unsubscribe page = %d without a preferences link:\n%s", w.Code, w.Body)
	}
	if got, _ := e.store.Get(ctx, ann.ID); got.Status != subscribers.StatusConfirmed {
		t.Errorf("the GET changed the reader: %s", got.Status)
	}
	if w := e.do("GET", link[1], "", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ann@example.com") {
		t.Errorf("the preferences link = %d:\n%s", w.Code, w.Body)
	}

	if err := e.store.Erase(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	w = e.do("GET", "/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, ann.ID, 0), "", "")
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "/preferences/") {
		t.Errorf("unsubscribe page of an erased reader = %d, with a preferences link:\n%s", w.Code, w.Body)
	}
}

// A confirmation link that does not work says how to get a new one, with
// a link to the signup form.
func TestConfirmBadLinkLinksSignup(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.do("GET", "/confirm/not-a-valid-token", "", "")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `<a href="/subscribe">sign up again</a>`) {
		t.Errorf("bad confirm link = %d:\n%s", w.Code, w.Body)
	}
}

// A value the suppression form cannot read says both what it takes: an
// address or a domain.
func TestAdminSuppressionInvalidSaysAddressOrDomain(t *testing.T) {
	e := newAdminSubEnv(t)
	e.srv.Events = events.NewStore(e.db)
	csrf := e.a.csrfOf("/admin/suppressions")
	for _, target := range []string{"robin", "robin example.com"} {
		resp, body := e.a.postBody("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {target}, "note": {"x"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter an address like name@example.com or a domain like example.com.") {
			t.Errorf("target %q = %d:\n%s", target, resp.StatusCode, body)
		}
	}
	// The API, whose field says which it is, keeps its own message.
	w := e.api("POST", "/api/v1/suppressions", `{"domain":"robin"}`)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `"domain":"enter a domain like example.com"`) {
		t.Errorf("API bad domain = %d: %s", w.Code, w.Body)
	}
}
