package web

import (
	"net/http"
	"net/url"

	"github.com/bulletinhq/bulletin/internal/admins"
)

// An invitedPage shows a new invite's link, the one time it can be shown:
// only a hash of its token is stored.
type invitedPage struct {
	adminPage
	Invite *admins.Invite
	Link   string
}

// newInvites holds the pages of invites just made until they are shown,
// as newTokens does for tokens. A serve restarted in between loses them;
// the team page then says to invite the address again.
var newInvites = &shownOnce[invitedPage]{}

// The note of invite-shown is kept beside the page it speaks of: it is
// the team page's answer to that page asked for again.
func init() {
	flashes["invite-shown"] = "The invite link was shown once and is not shown again: only a hash of it is stored. If it was not sent, invite the same address again: the new link replaces the old one."
}

// createInviteForm makes an invite for the form's email and answers 303 to
// the page that shows its link once (invitedLinkPage): answered with the
// page itself, a refresh posted the form again, and the new link
// cancelled the one the admin may have sent already.
func (s *Server) createInviteForm(w http.ResponseWriter, r *http.Request) {
	email := r.PostForm.Get("email")
	inv, err := s.Admins.CreateInvite(r.Context(), sessionFrom(r.Context()).AdminID, email)
	if err != nil {
		s.teamFormError(w, r, &teamPage{InviteEmail: email}, "email", err)
		return
	}
	page := invitedPage{Invite: inv, Link: s.publicURL(r) + "/admin/invite/" + inv.Token}
	handle := newInvites.put(sessionFrom(r.Context()).CSRF, page)
	http.Redirect(w, r, "/admin/team/invites?"+url.Values{"created": {handle}}.Encode(), http.StatusSeeOther)
}

// invitedLinkPage shows, once, the link of the invite named by
// ?created=HANDLE. Asked again (a refresh, Back), it leads to the team
// page, whose banner says the link was shown already; with no handle, to
// the team page alone.
func (s *Server) invitedLinkPage(w http.ResponseWriter, r *http.Request) {
	handle := r.URL.Query().Get("created")
	if handle == "" {
		http.Redirect(w, r, "/admin/team", http.StatusSeeOther)
		return
	}
	if p, ok := newInvites.take(sessionFrom(r.Context()).CSRF, handle); ok {
		s.renderAdmin(w, r, http.StatusOK, "admin_team_invited", &p)
		return
	}
	s.redirectWithFlash(w, r, "/admin/team", "invite-shown")
}

// publicURL is the base of links given out: the public URL of the
// settings, BASE_URL, or the address the request came to when none is set.
func (s *Server) publicURL(r *http.Request) string {
	if s.Settings != nil {
		if p, err := s.Settings.Publication(r.Context()); err == nil && p.PublicURL != "" {
			return p.PublicURL
		}
	}
	if s.BaseURL != "" {
		return s.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
