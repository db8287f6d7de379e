package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/templates"
)

// AdminDeps are what the admin pages need.
type AdminDeps struct {
	Templates *templates.Templates
	// Outbox is set when mail goes to the outbox rather than SMTP.
	Outbox *mailer.Outbox
	// WorkersSend is set when campaigns and digests are sent by bulletin
	// worker processes (serve --no-send), with their own SMTP settings:
	// serve's outbox then holds only its own mails (campaignsToOutbox).
	WorkersSend bool
	// Inspector reads the asynq queues for /admin/queues.
	Inspector *asynq.Inspector
	// AnnounceQueues adds Bulletin's queues to the list the Inspector
	// reads, which a Redis that lost its data lost (queue.Announce).
	AnnounceQueues func(context.Context) error
	// SecureCookies marks cookies Secure while no public URL is saved in
	// the settings: serve sets it at start-up when BASE_URL is https. Read
	// it through secureCookies, which follows the public URL in force.
	SecureCookies bool
	// Deliverability runs the DNS checks of /admin/deliverability.
	Deliverability DeliverabilityDeps
	// Setup is the one-time code that opens first-run setup to a browser
	// on another host; nil when serve started with an admin.
	Setup *SetupCode
}

// secureCookies says whether the cookies set in answer to r are Secure:
// when the public URL saved in the settings is https. It is read on every
// request, not once at start-up, because an admin can change the public
// URL in the settings at any time, and cookies set after a move to https
// must not go back over plain HTTP. With no public URL saved, or settings
// that cannot be read, the start-up value stands.
func (s *Server) secureCookies(r *http.Request) bool {
	if s.Settings != nil {
		if p, err := s.Settings.Stored(r.Context()); err == nil && p.PublicURL != "" {
			// Every request asks (strictTransport): the URL is parsed once
			// each time it changes.
			if m := s.httpsMemo.Load(); m != nil && m.url == p.PublicURL {
				return m.https
			}
			if u, err := url.Parse(p.PublicURL); err == nil {
				s.httpsMemo.Store(&httpsMemo{p.PublicURL, u.Scheme == "https"})
				return u.Scheme == "https"
			}
		}
	}
	return s.SecureCookies
}

// An httpsMemo is whether a public URL is https.
type httpsMemo struct {
	url   string
	https bool
}

// adminPage is the part every admin page shares with the layout.
type adminPage struct {
	Nav   []navItem
	CSRF  string
	Flash string
	zone  *time.Location // the zone its times are said in (admin_zone.go); nil is UTC
}

type navItem struct {
	Href, Label string
	On          bool
}

var adminNav = []navItem{
	{Href: "/admin", Label: "Dashboard"},
	{Href: "/admin/subscribers", Label: "Subscribers"},
	{Href: "/admin/lists", Label: "Lists"},
	{Href: "/admin/articles", Label: "Articles"},
	{Href: "/admin/feeds", Label: "Feeds"},
	{Href: "/admin/campaigns", Label: "Campaigns"},
	{Href: "/admin/digests", Label: "Digests"},
	{Href: "/admin/outbox", Label: "Outbox"},
	{Href: "/admin/queues", Label: "Queues"},
	{Href: "/admin/deliverability", Label: "Deliverability"},
	{Href: "/admin/events", Label: "Events"},
	{Href: "/admin/suppressions", Label: "Suppressions"},
	{Href: "/admin/webhooks", Label: "Webhooks"},
	{Href: "/admin/team", Label: "Team"},
	{Href: "/admin/tokens", Label: "Tokens"},
	{Href: "/admin/api", Label: "API"},
	{Href: "/admin/settings", Label: "Settings"},
}

// flashes are the messages the admin banner can show, by the key a
// redirect after a form sets (setFlash). The cookie carries a key, never
// the text, and an unknown key shows nothing: the banner says only what
// Bulletin wrote, whatever a cookie or link made by hand holds. A
// ?flash= in the address, as in links and bookmarks from before, is
// ignored.
var flashes = map[string]string{
	"saved":              "Saved.",
	"erased":             "Subscriber erased: their personal data is gone.",
	"campaign-saved":     "Campaign saved.",
	"campaign-scheduled": "Campaign saved and scheduled: it goes out by itself at the time below, to the readers its lists have then. Edit it to change the time, or cancel it.",
	"test-sent":          "Test sent.",
	"sending":            "Campaign is sending.",
	"paused":             "Campaign paused.",
	"resumed":            "Campaign resumed.",
	"cancelled":          "Campaign cancelled.",
	"list-created":       "List created.",
	"list-deleted":       "List deleted.",
	"feed-added":         "Feed added and polled: its items are now articles.",
	"feed-known":         "That feed was here already: see it below.",
	"feed-failed":        "Feed added, but its first poll failed: its last status below says why. It is tried again in 15 minutes, then less often while it keeps failing.",
	"feed-paused":        "Feed paused: it is not polled until you resume it.",
	"feed-resumed":       "Feed resumed and polled: its last status below says how that went.",
	"feed-resume-failed": "Feed resumed, but its poll failed: its last status below says why. It is tried again in 15 minutes, then less often while it keeps failing.",
	"feed-polled":        "Feed polled: its last status below says how that went.",
	"feed-poll-failed":   "Polled again, and it failed: its last status below says why. It is tried again in 15 minutes, then less often while it keeps failing.",
	"feed-deleted":       "Feed deleted. The articles it brought stay.",

	// Articles.
	"article-deleted": "Article deleted. Digests already sent keep their copy of it.",

	// The login page, after a logout (loginPage.LoggedOut).
	"logged-out": "You are logged out.",

	// Team and tokens.
	"welcome":          "Welcome to the team: you are logged in.",
	"admin-removed":    "Admin removed: their sessions have ended.",
	"invite-cancelled": "Invite cancelled: its link no longer works.",
	"password-changed": "Password changed. Your other sessions have ended; this one stays.",
	"token-revoked":    "Token revoked: the API refuses it from now on.",

	// First run.
	"setup-done":        "Bulletin is set up and you are logged in. Below is what is left before readers get good mail; invite your team under Team.",
	"setup-no-list":     "You are set up and logged in, but the first list could not be made: create it here.",
	"setup-no-settings": "You are set up and logged in, but the publication's name, URL and From could not be saved: enter them here.",

	// Campaigns.
	"campaign-deleted":    "Campaign deleted.",
	"campaign-duplicated": "A copy of the campaign, saved as a draft: its Edit button, below, opens it in the form.",

	// Settings.
	"settings-saved": "Settings saved: pages show them now, and every mail built from now on.",

	// Digests.
	"digest-sent":        "Digest built: it is sending now.",
	"digest-nothing-new": "No digest: no article is new since the list's last digest.",
	"digest-no-readers":  "No digest: the list has no reader for it yet.",

	// Suppression list.
	"suppression-added":  "Added to the suppression list: nothing is mailed to it from now on.",
	"suppression-known":  "That was on the suppression list already: its first reason stays.",
	"suppression-lifted": "Suppression lifted: the reason is in the server log. Mail goes to it again when its reader is subscribed.",

	// Outgoing webhooks.
	"hook-saved":         "Webhook endpoint saved.",
	"hook-test-sent":     "Test event queued: it shows in the delivery log below in a moment.",
	"hook-test-disabled": "This endpoint is disabled: enable it to send it a test event.",
	"hook-enabled":       "Endpoint enabled: it gets new events again, and its failure record is cleared.",
	"hook-disabled":      "Endpoint disabled: it gets no new events until you enable it.",
	"hook-deleted":       "Webhook endpoint deleted.",

	// Subscribers added by hand.
	"subscriber-added":         "Subscriber added as confirmed: nothing was mailed to them.",
	"subscriber-added-pending": "Subscriber added as pending: the confirmation mail is on its way; they get nothing else until they click its link.",
}

// page fills the shared part for a request that passed requireAdmin.
func (p *adminPage) fill(r *http.Request) {
	sess := sessionFrom(r.Context())
	if sess == nil {
		return
	}
	p.CSRF = sess.CSRF
	p.Flash = flashes[flashFrom(r)]
	p.Nav = make([]navItem, len(adminNav))
	for i, n := range adminNav {
		n.On = r.URL.Path == n.Href || (n.Href != "/admin" && strings.HasPrefix(r.URL.Path, n.Href))
		p.Nav[i] = n
	}
}

// hideNav takes the menu's item of href out: the Outbox with mail going
// over SMTP, whose page would only say there is none.
func (p *adminPage) hideNav(href string) {
	p.Nav = slices.DeleteFunc(p.Nav, func(n navItem) bool { return n.Href == href })
}

// filler is any page that embeds adminPage.
type filler interface {
	fill(r *http.Request)
	hideNav(href string)
	setZone(loc *time.Location)
}

// fillAdmin fills the shared part of data: the menu without the Outbox
// while mail goes over SMTP, and the zone its times are said in.
func (s *Server) fillAdmin(r *http.Request, data filler) {
	data.fill(r)
	data.setZone(s.publicationZone(r.Context()))
	if s.Outbox == nil {
		data.hideNav("/admin/outbox")
	}
}

// renderAdmin renders an admin page; pages are never cached.
func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, status int, name string, data filler) {
	s.fillAdmin(r, data)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	var buf strings.Builder
	if err := s.Templates.Admin(&buf, name, data); err != nil {
		s.adminError(w, r, err)
		return
	}
	w.WriteHeader(status)
	w.Write([]byte(buf.String()))
}

// adminError logs err and answers 500 with the error page, which shows no
// detail; a write that failed for a full disk, 503 (adminUnavailable).
func (s *Server) adminError(w http.ResponseWriter, r *http.Request, err error) {
	if bulletin.ErrorCode(err) == bulletin.EUNAVAILABLE {
		s.adminUnavailable(w, r, err)
		return
	}
	s.Log.Error("admin page", "route", r.Pattern, "err", err)
	s.renderErrorPage(w, r, http.StatusInternalServerError, &errorPage{Title: "Something went wrong",
		Message: "This page failed on our side. The details are in the server log; try again in a moment."})
}

// adminRoutes registers the admin area; its pages need a session.
func (s *Server) adminRoutes() {
	s.mux.Handle("GET /admin/login", adminHeaders(http.HandlerFunc(s.loginForm)))
	s.mux.Handle("POST /admin/login", adminHeaders(http.HandlerFunc(s.login)))
	s.adminHandle("POST /admin/logout", s.logout)
	s.adminHandle("GET /admin", s.dashboard)
	s.adminHandle("GET /admin/{$}", s.dashboard)
	s.adminHandle("GET /admin/outbox", s.outboxPage)
	s.adminHandle("GET /admin/outbox/{name}", s.outboxMessage)
	s.adminHandle("GET /admin/queues", s.queuesPage)
	s.adminHandle("GET /admin/subscribers", s.subscribersPage)
	s.adminHandle("GET /admin/subscribers/{id}", s.subscriberPage)
	s.adminHandle("POST /admin/subscribers/{id}", s.updateSubscriberForm)
	s.adminHandle("POST /admin/subscribers/{id}/erase", s.eraseSubscriberForm)
	s.adminHandle("GET /admin/campaigns", s.campaignsPage)
	s.adminHandle("GET /admin/campaigns/new", s.newCampaignPage)
	s.adminHandle("POST /admin/campaigns", s.createCampaignForm)
	s.adminHandle("GET /admin/campaigns/{id}", s.campaignPage)
	s.adminHandle("GET /admin/campaigns/{id}/progress", s.campaignProgress)
	s.adminHandle("POST /admin/campaigns/{id}/{action}", s.campaignAction)
	s.adminHandle("GET /admin/lists", s.listsPage)
	s.adminHandle("POST /admin/lists", s.createListForm)
	s.adminHandle("GET /admin/lists/{slug}", s.listPage)
	s.adminHandle("POST /admin/lists/{slug}", s.updateListForm)
	s.adminHandle("POST /admin/lists/{slug}/delete", s.deleteListForm)
	s.adminHandle("GET /admin/articles", s.articlesPage)
	s.adminHandle("GET /admin/deliverability", s.deliverabilityPage)
	s.adminHandle("GET /admin/team", s.teamPage)
	s.adminHandle("GET /admin/team/invites", s.invitedLinkPage)
	s.adminHandle("POST /admin/team/invites", s.createInviteForm)
	s.adminHandle("POST /admin/team/invites/{id}/cancel", s.cancelInviteForm)
	s.adminHandle("POST /admin/team/password", s.changePasswordForm)
	s.adminHandle("GET /admin/team/{id}/remove", s.removeAdminPage)
	s.adminHandle("POST /admin/team/{id}/remove", s.removeAdminForm)
	s.adminHandle("GET /admin/tokens", s.tokensPage)
	s.adminHandle("POST /admin/tokens", s.createTokenForm)
	s.adminHandle("GET /admin/tokens/{id}/revoke", s.revokeTokenPage)
	s.adminHandle("POST /admin/tokens/{id}/revoke", s.revokeTokenForm)
	// Outside requireAdmin: an invite link is how a new admin gets in.
	s.mux.Handle("GET /admin/invite/{token}", adminHeaders(http.HandlerFunc(s.invitePage)))
	s.mux.Handle("POST /admin/invite/{token}", adminHeaders(http.HandlerFunc(s.acceptInviteForm)))
	// Outside requireAdmin too: first-run setup makes the first admin.
	s.mux.Handle("GET /admin/setup", adminHeaders(http.HandlerFunc(s.setupForm)))
	s.mux.Handle("POST /admin/setup", adminHeaders(http.HandlerFunc(s.setup)))
	s.adminHandle("GET /admin/api", s.apiReference)
	s.adminHandle("GET /admin/digests", s.digestsPage)
	s.adminHandle("GET /admin/digests/{slug}/run", s.digestSendForm)
	s.adminHandle("POST /admin/digests/{slug}/run", s.runDigestForm)
	s.settingsRoutes()
	// Any other admin address: the 404 page, after the login like the rest.
	// This catch-all takes every method, so net/http never sees a path
	// served for other methods: a POST to a GET page came here as a 404.
	// Such a path gets the 405 page, with Allow, after the login too: a
	// visitor without a session is sent to it as for any admin address,
	// and learns nothing of which paths exist.
	notFound := s.requireAdmin(s.styleNotFound(s.adminNotFound))
	wrongMethod := s.requireSession(http.HandlerFunc(s.adminMethodNotAllowed))
	s.mux.Handle("/admin/", adminHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(s.mux.allowedMethods(r)) > 0 {
			wrongMethod.ServeHTTP(w, r)
			return
		}
		notFound.ServeHTTP(w, r)
	})))
	s.subscriberAdminRoutes()
	s.campaignAdminRoutes()
	s.articleRoutes()
	s.feedbackRoutes()
	s.hookRoutes()
}

// adminHandle registers a handler behind requireAdmin.
func (s *Server) adminHandle(pattern string, h http.HandlerFunc) {
	s.mux.Handle(pattern, adminHeaders(s.requireAdmin(s.styleNotFound(h))))
}

// campaignsToOutbox reports whether campaigns are written to the outbox,
// reaching no reader: serve sends them itself and has no SMTP server. With
// serve --no-send the workers send them, whatever serve's own setting.
func (s *Server) campaignsToOutbox() bool {
	return s.Outbox != nil && !s.WorkersSend
}
