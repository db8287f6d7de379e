package web

import (
	"strings"
	"testing"
)

// The lists page leads to the signup form's snippet: for every public
// list, and for each public one alone. A private list gets no form link:
// no one signs up to it.
func TestAdminListsLinkTheSignupSnippet(t *testing.T) {
	e := newAdminSubEnv(t)
	_, body := e.a.get("/admin/lists")
	for _, want := range []string{`<a href="/subscribe/embed">`, `<a href="/subscribe/embed?list=daily-news">form</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the lists page lacks %s", want)
		}
	}
	if strings.Contains(body, `/subscribe/embed?list=editors-desk`) {
		t.Error("the private list editors-desk has a signup form link")
	}
	if _, snippet := e.a.get("/subscribe/embed?list=daily-news"); !strings.Contains(snippet, `value="daily-news"`) {
		t.Errorf("the snippet of daily-news does not sign up to it:\n%s", snippet)
	}
}
