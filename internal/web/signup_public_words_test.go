package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// unknownNotice finds the notice the form shows for a ?list= that names
// no public list.
var unknownNotice = regexp.MustCompile(`<p class="notice" role="alert">([^<]*)</p>`)

// The one-list form of an embedded snippet, posted for a list that is no
// longer public (deleted, made private), says so in the words the form's
// own link (?list=) says it in, and offers the public lists to choose
// from, nothing ticked: not "There is no list", which tells the reader,
// who never typed the slug, of a fault they cannot fix.
func TestOneListFormForAListNotPublicSaysSoAsTheLinkDoes(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, slug := range []string{"old-slug", "editors-desk"} {
		t.Run(slug, func(t *testing.T) {
			get := html.UnescapeString(e.do("GET", "/subscribe?list="+slug, "", "").Body.String())
			m := unknownNotice.FindStringSubmatch(get)
			if m == nil {
				t.Fatalf("/subscribe?list=%s shows no notice:\n%s", slug, get)
			}
			want := "There is no public list “" + slug + "”: choose from the lists below."
			if m[1] != want {
				t.Fatalf("/subscribe?list=%s says %q, want %q", slug, m[1], want)
			}
			w := e.form("/subscribe", url.Values{"email": {"follow1@example.org"}, "list": {slug}, oneListField: {"1"}})
			page := html.UnescapeString(w.Body.String())
			if w.Code != http.StatusUnprocessableEntity {
				t.Fatalf("one-list form for %s = %d, want 422:\n%s", slug, w.Code, page)
			}
			for _, s := range []string{`<li><a href="#lists">Lists: ` + want + `</a></li>`, `<p class="error" id="lists-error">` + want + `</p>`} {
				if !strings.Contains(page, s) {
					t.Errorf("the page lacks %s:\n%s", s, page)
				}
			}
			if strings.Contains(page, "There is no list") {
				t.Errorf("the page says there is no list:\n%s", page)
			}
			var offered []string
			for _, b := range listBox.FindAllStringSubmatch(page, -1) {
				offered = append(offered, b[1]+b[2])
			}
			if diff := cmp.Diff([]string{"daily-news", "weekend-culture"}, offered); diff != "" {
				t.Errorf("the lists offered, unticked (-want +got):\n%s", diff)
			}
		})
	}
}

// The JSON signup takes its lists as "lists", an array of slugs. A body
// that has none there, but has them as "list" (the form's field), "List[]"
// or a slip of "lists", is refused with each such member named, pointing to
// "lists" with its own slugs; members it ignores are still ignored, and a
// body with its lists goes through whatever else it holds.
func TestJSONSignupPointsAMisnamedListsMemberToLists(t *testing.T) {
	e := newSubEnv(t, 0)
	tests := []struct {
		body string
		want map[string]string
	}{
		{`{"email":"follow1@example.org","list":"the-weekly"}`, map[string]string{
			"list":  `is not a field of a signup; did you mean "lists"? It takes an array of list slugs: "lists": ["the-weekly"]`,
			"lists": "choose at least one list",
		}},
		{`{"email":"not-an-address","List[]":["daily-news","weekend-culture"],"utm":"x"}`, map[string]string{
			"email":  "enter an address like name@example.com",
			"List[]": `is not a field of a signup; did you mean "lists"? It takes an array of list slugs: "lists": ["daily-news","weekend-culture"]`,
			"lists":  "choose at least one list",
		}},
		{`{"email":"b@example.org","lsts":7,"lists":[]}`, map[string]string{
			"lsts":  `is not a field of a signup; did you mean "lists"? It takes an array of list slugs: "lists": ["news"]`,
			"lists": "choose at least one list",
		}},
		{`{"email":"c@example.org","utm":"x"}`, map[string]string{"lists": "choose at least one list"}},
		{`{"email":5,"list":"daily-news"}`, map[string]string{
			"email": "must be a string",
			"list":  `is not a field of a signup; did you mean "lists"? It takes an array of list slugs: "lists": ["daily-news"]`,
			"lists": "choose at least one list",
		}},
	}
	for _, tt := range tests {
		w := e.json("POST", "/api/v1/subscriptions", tt.body)
		var got errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v: %s", tt.body, err, w.Body)
		}
		if w.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s = %d, want 422: %s", tt.body, w.Code, w.Body)
		}
		if diff := cmp.Diff(tt.want, got.Fields); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", tt.body, diff)
		}
	}
	w := e.json("POST", "/api/v1/subscriptions", `{"email":"d@example.org","lists":["daily-news"],"list":"nope","utm":"x"}`)
	if w.Code != http.StatusAccepted {
		t.Errorf("a signup with its lists and other members = %d, want 202: %s", w.Code, w.Body)
	}
}

// A public form too large to read is answered with a page that links
// back to the page of the form: the signup form, or the reader's own
// preferences page.
func TestFormTooLargeLinksBackToItsPage(t *testing.T) {
	e := newSubEnv(t, 0)
	sub, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: "big@example.org",
		Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	prefs := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0)
	big := url.Values{"name": {strings.Repeat("x", MaxBodyBytes)}, "list": {"daily-news"}}
	for _, tc := range []struct{ path, link string }{
		{"/subscribe", `<a href="/subscribe">Back to the signup form</a>`},
		{prefs, `<a href="` + prefs + `">Back to your preferences</a>`},
	} {
		w := e.form(tc.path, big)
		body := w.Body.String()
		if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "over 1 MiB") {
			t.Errorf("POST %s over the limit = %d, want 413 saying so:\n%.600s", tc.path, w.Code, body)
		}
		if !strings.Contains(body, tc.link) {
			t.Errorf("POST %s over the limit: the page does not link back with %s:\n%.600s", tc.path, tc.link, body)
		}
	}
}
