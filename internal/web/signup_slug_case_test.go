package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// listsOf are the slugs of the lists subscriber email has a subscription
// to, whatever its status, in slug order.
func listsOf(t *testing.T, db *sqlite.DB, email string) []string {
	t.Helper()
	slugs, err := sqlite.Column[string](db.Read.Query(`SELECT l.slug FROM subscriptions s JOIN lists l ON l.id = s.list_id
		JOIN subscribers r ON r.id = s.subscriber_id WHERE r.email = ? ORDER BY l.slug`, email))
	if err != nil {
		t.Fatal(err)
	}
	return slugs
}

// TestSignupSlugsInAnyCase: a slug names its list whatever its case, as
// lists are stored by subscribers.SlugKey, by the API, the form and the
// preferences form alike; a slug named twice in two cases joins its list
// once. The answer stays the same for a known address and a new one, and
// a private list is still refused in any case.
func TestSignupSlugsInAnyCase(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	if _, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "known@example.com", Status: subscribers.StatusConfirmed,
		Lists: []string{"daily-news"}}); err != nil {
		t.Fatal(err)
	}

	signup := func(email string) answer {
		w := e.json("POST", "/api/v1/subscriptions", `{"email":"`+email+`","lists":["Daily-News"," WEEKEND-Culture ","daily-news"]}`)
		return answer{Status: w.Code, Header: w.Header(), Body: w.Body.String()}
	}
	fresh, known := signup("fresh@example.com"), signup("known@example.com")
	if fresh.Status != http.StatusAccepted || strings.TrimSpace(fresh.Body) != `{"status":"pending"}` {
		t.Fatalf("JSON signup to Daily-News and WEEKEND-Culture = %d %s, want 202 pending", fresh.Status, fresh.Body)
	}
	if diff := cmp.Diff(fresh, known); diff != "" {
		t.Errorf("a known address is answered otherwise than a new one (-new +known):\n%s", diff)
	}
	w := e.form("/subscribe", url.Values{"email": {"form@example.com"}, "list": {"Weekend-Culture"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscribe/check-email" {
		t.Errorf("form signup to Weekend-Culture = %d to %q, want 303 to /subscribe/check-email:\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	e.signups.Flush()
	for email, want := range map[string][]string{
		"fresh@example.com": {"daily-news", "weekend-culture"},
		"form@example.com":  {"weekend-culture"},
	} {
		if diff := cmp.Diff(want, listsOf(t, e.db, email)); diff != "" {
			t.Errorf("%s's lists (-want +got):\n%s", email, diff)
		}
	}
	if w := e.json("POST", "/api/v1/subscriptions", `{"email":"desk@example.com","lists":["Editors-Desk"]}`); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("signup to the private list as Editors-Desk = %d, want 422 as for no list:\n%s", w.Code, w.Body)
	}

	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "prefs@example.com", Status: subscribers.StatusConfirmed,
		Frequency: "daily", Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0)
	w = e.form(path, url.Values{"name": {"Pat"}, "frequency": {"daily"}, "list": {"Weekend-Culture"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("preferences with Weekend-Culture = %d, want 303:\n%s", w.Code, w.Body)
	}
	after, err := e.store.Get(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"weekend-culture"}, after.Lists); diff != "" {
		t.Errorf("lists saved from the preferences form (-want +got):\n%s", diff)
	}
}
