package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The new-list form sits below every list: it posts to /admin/lists#new,
// the card that holds it and its errors, so a refused form comes back
// scrolled to them, and the top of the page says so too.
func TestAdminNewListErrorsInSight(t *testing.T) {
	_, a := newAdminServer(t)
	a.login("correct horse battery")
	_, body := a.get("/admin/lists")
	if !strings.Contains(body, `<div class="card" id="new">`) || !strings.Contains(body, `action="/admin/lists#new"`) {
		t.Errorf("the new-list form does not post to its own card:\n%s", body)
	}
	csrf := a.csrfOf("/admin/lists")
	resp, body := a.postBody("/admin/lists", url.Values{"csrf": {csrf}, "slug": {"Bad Slug"}, "name": {"Weekly Brief"}, "digest": {"off"}})
	top, card := strings.Index(body, `<a href="#new">The new list was not created</a>`), strings.Index(body, `id="new"`)
	if resp.StatusCode != http.StatusUnprocessableEntity || top < 0 || card < top || !strings.Contains(body, `value="Weekly Brief"`) {
		t.Errorf("a refused new list = %d, want 422 with a note at the top pointing to the form, values kept:\n%s", resp.StatusCode, body)
	}
}
