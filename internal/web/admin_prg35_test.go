package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A hookAdmin is an admin server with webhooks on a real SQLite file and
// its admin logged in, with the stores to check what the pages did.
type hookAdmin struct {
	s     *Server
	store *hooks.Store
	db    *sqlite.DB
	a     *adminClient
}

func newHookAdmin(t *testing.T) *hookAdmin {
	t.Helper()
	h := &hookAdmin{}
	h.s, h.a = newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		h.db, h.store = d, hooks.NewStore(d, hooks.Guard{AllowPrivate: true})
		s.HookDeps = HookDeps{Hooks: h.store}
	})
	h.a.login("correct horse battery")
	return h
}

// secretOf reads endpoint id's stored secret, which the store's reads
// leave out.
func (h *hookAdmin) secretOf(t *testing.T, id int64) string {
	t.Helper()
	var secret string
	if err := h.db.Read.QueryRow(`SELECT secret FROM webhook_endpoints WHERE id = ?`, id).Scan(&secret); err != nil {
		t.Fatal(err)
	}
	return secret
}

// shownSecret is the one secret page shows, or "" unless it shows exactly
// one.
func shownSecret(page string) string {
	m := secretField.FindAllStringSubmatch(page, -1)
	if len(m) != 1 {
		return ""
	}
	return html.UnescapeString(m[0][1])
}

// postThenReload posts form to path, wants a 303 whose Location (and
// redirect page) carries no secret, and returns the page it leads to,
// then that same page asked again, as a browser's reload does.
func (a *adminClient) postThenReload(path string, form url.Values, wantPrefix, secretPrefix string) (loc, first, again string) {
	a.t.Helper()
	resp, body := a.postBody(path, form)
	loc = resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, wantPrefix) || strings.Contains(loc+body, secretPrefix) {
		a.t.Fatalf("POST %s = %d to %q, want 303 to %sHANDLE with no secret:\n%s", path, resp.StatusCode, loc, wantPrefix, body)
	}
	resp, first = a.get(loc)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		a.t.Fatalf("GET %s = %d, Cache-Control %q, want 200 not stored", loc, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	_, again = a.get(loc)
	return loc, first, again
}

// Adding an endpoint answers 303: a reload of the page it leads to adds no
// second endpoint (which would get every event twice) and shows the
// secret no more, only a note that it was shown.
func TestAddHookReloadAddsNoSecondEndpoint(t *testing.T) {
	h := newHookAdmin(t)
	store, a := h.store, h.a
	form := url.Values{"csrf": {a.csrfOf("/admin/webhooks")}, "url": {"http://127.0.0.1:9/in"}, "events": {"subscriber.created"}}
	loc, first, again := a.postThenReload("/admin/webhooks", form, "/admin/webhooks?created=", "whsec_")

	list, err := store.List(t.Context())
	if err != nil || len(list) != 1 {
		t.Fatalf("after the add and a reload: %d endpoints (%v), want 1", len(list), err)
	}
	if got := shownSecret(first); got == "" || got != h.secretOf(t, list[0].ID) || !strings.Contains(first, "Endpoint added") {
		t.Errorf("GET %s shows %q, want the endpoint's secret once:\n%s", loc, got, first)
	}
	if secretField.MatchString(again) || !strings.Contains(again, "shown once and is not shown again") || !strings.Contains(again, list[0].URL) {
		t.Errorf("the reload shows a secret, or lacks the note or the list:\n%s", again)
	}
	if _, body := a.get("/admin/webhooks"); strings.Contains(body, "shown once and is not shown again") {
		t.Errorf("the plain list shows the note:\n%s", body)
	}
}

// Rotating a secret answers 303: a reload rotates no more, so the secret
// the page showed is the one requests are signed with.
func TestRotateHookReloadRotatesOnce(t *testing.T) {
	h := newHookAdmin(t)
	store, a := h.store, h.a
	evs := []string{"subscriber.created"}
	u := "http://127.0.0.1:9/in"
	e, err := store.Create(t.Context(), hooks.Input{URL: &u, Events: &evs})
	if err != nil {
		t.Fatal(err)
	}
	page := hookURL(e)
	form := url.Values{"csrf": {a.csrfOf(page)}}
	_, first, again := a.postThenReload(page+"/rotate", form, "/admin/webhooks?rotated=", "whsec_")

	// One rotation: the secret stored is the one the page showed, which
	// a second rotation would have replaced.
	now := h.secretOf(t, e.ID)
	if now == e.Secret {
		t.Fatal("the secret was not rotated")
	}
	if got := shownSecret(first); got != now || !strings.Contains(first, "New secret") {
		t.Errorf("the page after rotate shows %q, want the new secret %q once:\n%s", got, now, first)
	}
	if secretField.MatchString(again) || !strings.Contains(again, "shown once and is not shown again") {
		t.Errorf("the reload shows a secret, or lacks the note:\n%s", again)
	}
	if list, _ := store.List(t.Context()); len(list) != 1 {
		t.Errorf("%d endpoints, want 1", len(list))
	}
}

// Inviting answers 303: a reload makes no second link, so the first one,
// which the admin may have sent already, still works; the link is shown
// once, and the reload leads to the team page saying so.
func TestInviteReloadKeepsTheFirstLink(t *testing.T) {
	s, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	form := url.Values{"csrf": {a.csrfOf("/admin/team")}, "email": {"ann@example.com"}}
	resp, body := a.postBody("/admin/team/invites", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/team/invites?created=") || strings.Contains(loc+body, "/admin/invite/") {
		t.Fatalf("invite = %d to %q, want 303 to the link's page, with no link:\n%s", resp.StatusCode, loc, body)
	}

	// Another session of the same admin cannot see the link, nor use it up.
	if _, body := a.another().get(loc); inviteLink.MatchString(body) {
		t.Fatalf("another session saw the link:\n%s", body)
	}
	resp, first := a.get(loc)
	links := inviteLink.FindAllStringSubmatch(first, -1)
	if resp.StatusCode != http.StatusOK || len(links) != 1 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET %s = %d, Cache-Control %q, %d links, want the link once:\n%s", loc, resp.StatusCode, resp.Header.Get("Cache-Control"), len(links), first)
	}
	token := links[0][1]

	// The reload: the team page with the note, and no link.
	resp, _ = a.get(loc)
	checkFlashRedirect(t, "reload", resp, "/admin/team", "invite-shown")
	if _, team := a.get(resp.Header.Get("Location")); inviteLink.MatchString(team) || !strings.Contains(team, "The invite link was shown once") {
		t.Errorf("the team page after the reload shows a link, or lacks the note:\n%s", team)
	}

	if resp, _ := a.get("/admin/team/invites"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/team" {
		t.Errorf("GET /admin/team/invites with no handle = %d to %q, want 303 to the team page, no note", resp.StatusCode, resp.Header.Get("Location"))
	}

	pending, err := s.Admins.PendingInvites(t.Context())
	if err != nil || len(pending) != 1 {
		t.Fatalf("%d pending invites (%v), want 1", len(pending), err)
	}
	if resp, body := a.another().get("/admin/invite/" + token); resp.StatusCode != http.StatusOK || !strings.Contains(body, "ann@example.com") {
		t.Errorf("the link shown = %d, want its password form:\n%s", resp.StatusCode, body)
	}
}
