package web

import (
	"net/http"
	"strings"
)

// adminScripts are the SHA-256 hashes of the inline scripts and the inline
// event handlers of the admin templates, the only scripts an admin page
// may run: the layout's, which closes the phone menu on Escape or a tap
// beside it, the campaign page's live progress, the confirmations before
// a cancel and an erase (a campaign's send and a digest's send now have
// confirmation pages of their own), and the campaign form's question
// before it is left with changes not saved.
// TestAdminCSPAllowsTheTemplatesScripts renders those pages and fails
// when a template's script changes without its hash here; a
// BULLETIN_TEMPLATES folder that changes them is blocked.
var adminScripts = []string{
	"'sha256-bJKgx2P+wChH/+QJYlLW6hY4nVU5JUVG58Y0fQZWB+M='", // layout admin.html: the phone menu closed by Escape or a tap beside it
	"'sha256-PAoan3MtOtsXWrLcCD12L88usl+OAYJEsF3g2FJ8dQU='", // admin_campaign.html: progress
	"'sha256-zmb+aPSmMjj4lZD9WOFhhLqklPllQ7qKPVwzfr+hNm8='", // admin_campaign.html: confirm cancel
	"'sha256-iJe/zujHOJQxmLHzRhx/QlS/50KbFp/x1dOI/eSB5jE='", // admin_campaign_new.html: ask before leaving
	"'sha256-a5nKR89W+ZLRw7c7UkwckaRbZGrnM6e0B866W+T/Wjc='", // admin_subscriber.html: confirm erase
}

// adminCSP is the Content-Security-Policy of every admin answer. Scripts
// run only by hash ('unsafe-hashes' lets the hashes cover the onsubmit
// handlers), so markup that slipped into a page cannot run code. Styles
// may be inline, as the templates' are. Images may come from anywhere:
// campaign previews and the outbox show mails as readers get them. No
// page may frame the admin area (clickjacking).
var adminCSP = strings.Join([]string{
	"default-src 'self'",
	"script-src 'self' 'unsafe-hashes' " + strings.Join(adminScripts, " "),
	"style-src 'self' 'unsafe-inline'",
	"img-src * data:",
	"object-src 'none'",
	"base-uri 'none'",
	"form-action 'self'",
	"frame-ancestors 'none'",
}, "; ")

// adminHeaders sets the admin area's security headers on every answer,
// redirects and refusals included.
func adminHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", adminCSP)
		h.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff") // pages, CSV exports and uploads' answers alike
		next.ServeHTTP(w, r)
	})
}
