package web

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The page of a list's unsubscribe link names the lists the reader keeps
// as a sentence does, "Weekend Culture" or "Weekend Culture and Editor's
// Desk", never "only Weekend Culture" (the API errors' wording, which
// reads as if the reader had chosen to get less), before and after the
// button.
func TestUnsubscribeListPageNamesTheOtherLists(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	daily, err := e.store.ListBySlug(ctx, "daily-news")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		email  string
		lists  []string
		others string
	}{
		{"one@example.com", []string{"daily-news", "weekend-culture"}, "Weekend Culture"},
		{"two@example.com", []string{"daily-news", "weekend-culture", "editors-desk"}, "Weekend Culture and Editor's Desk"},
	} {
		sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: c.email, Status: subscribers.StatusConfirmed, Lists: c.lists})
		if err != nil {
			t.Fatal(err)
		}
		link := "/unsubscribe/" + e.signer.SignList(sub.ID, daily.ID)
		page := html.UnescapeString(e.do("GET", link, "", "").Body.String())
		if want := "You will still get " + c.others + "."; !strings.Contains(page, want) {
			t.Errorf("%s: the page before leaving lacks %q:\n%s", c.email, want, page)
		}
		e.form(link, url.Values{"List-Unsubscribe": {"One-Click"}})
		done := html.UnescapeString(e.do("GET", link, "", "").Body.String())
		if want := "You still get " + c.others + "."; !strings.Contains(done, want) {
			t.Errorf("%s: the page after leaving lacks %q:\n%s", c.email, want, done)
		}
		for _, p := range []string{page, done} {
			if strings.Contains(p, "get only") {
				t.Errorf("%s: the page says \"only\":\n%s", c.email, p)
			}
		}
	}
}
