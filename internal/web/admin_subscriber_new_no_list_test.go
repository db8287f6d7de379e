package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var listsError = regexp.MustCompile(`<p class="error" id="lists-error"[^>]*>([^<]*)</p>`)

// A reader added by hand with no list ticked is refused at the lists,
// everything typed kept: on no list they would get no mail, and the
// banner said only that nothing was mailed to them. It used to add them.
// The other fields' errors come in the same round, a taken address's too.
func TestAdminSubscriberAddNeedsAList(t *testing.T) {
	e := newAdminSubEnv(t)
	form := url.Values{"csrf": {e.csrf}, "email": {"zoe@example.com"}, "name": {"Zoë Marchetti"}, "status": {"pending"}}
	resp, body := e.a.postBody("/admin/subscribers", form)
	m := listsError.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || m == nil || html.UnescapeString(m[1]) != "Tick at least one list: a reader on no list gets no mail." {
		t.Fatalf("add with no list = %d, lists error %q; want 422 with the lists' error:\n%s", resp.StatusCode, m, body)
	}
	for _, want := range []string{`value="zoe@example.com"`, `value="Zoë Marchetti"`, `value="pending" checked`, `aria-describedby="lists-error"`, "Nothing was saved: fix the fields marked below."} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %s:\n%s", want, body)
		}
	}
	if sub := e.byEmail("zoe@example.com"); sub != nil {
		t.Errorf("stored %+v though no list was ticked", sub)
	}

	// Taken address and no list: both said at once.
	e.addReader("ann@example.com", "daily-news")
	_, body = e.a.postBody("/admin/subscribers", url.Values{"csrf": {e.csrf}, "email": {"Ann@example.com"}, "status": {"confirmed"}})
	if !strings.Contains(body, "exists already") || listsError.FindString(body) == "" {
		t.Errorf("taken address and no list: want both errors:\n%s", body)
	}

	form.Set("list", "weekend-culture")
	if resp := e.a.post("/admin/subscribers", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add with a list = %d", resp.StatusCode)
	}
	if sub := e.byEmail("zoe@example.com"); sub == nil || len(sub.Lists) != 1 {
		t.Errorf("stored %+v, want Zoë on weekend-culture", sub)
	}
}

// An install with no list yet may add a reader to none, as the form
// offers; the banner then says they get no mail until added to one.
func TestAdminSubscriberAddWithNoListYet(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	lists, err := e.store.Lists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		if err := e.store.DeleteList(ctx, l.Slug); err != nil {
			t.Fatal(err)
		}
	}
	resp := e.a.post("/admin/subscribers", url.Values{"csrf": {e.csrf}, "email": {"zoe@example.com"}, "status": {"confirmed"}})
	loc := resp.Header.Get("Location")
	if key, _, _ := flashSet(resp); resp.StatusCode != http.StatusSeeOther || key != "subscriber-added-no-list" {
		t.Fatalf("add with no list on an install without lists = %d to %q with the banner %q", resp.StatusCode, loc, key)
	}
	if _, body := e.a.get(loc); !strings.Contains(html.UnescapeString(body), "on no list: they get no mail until you add them to one") {
		t.Errorf("the banner does not say they are on no list:\n%s", body)
	}
}
