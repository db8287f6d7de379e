package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// flashCookie carries the banner of the admin page a form redirects to:
// the key of its message in flashes and the path of that page. The page
// says it once and clears it. In the address (?flash=saved) the banner
// came back at every reload, from a bookmark and from a link passed on.
// It is set for the admin area, where the login page is too, and holds
// the page's path, as a redirect to the dashboard (/admin) would
// otherwise have its banner on whichever admin page came first.
const flashCookie = "bulletin_flash"

// onceCookieAge is how long, in seconds, a onceCookie waits for its page:
// a browser follows the redirect at once, and one that does not must not
// say "Saved." at a visit much later.
const onceCookieAge = 60

// redirectWithFlash answers a form with a 303 to the admin page to
// (a path, with a query of its own or none), which then says the
// message of key, one of flashes, once.
func (s *Server) redirectWithFlash(w http.ResponseWriter, r *http.Request, to, key string) {
	s.setFlash(w, r, to, key)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// setFlash has the admin page to (its path: a query is not part of it)
// say the message of key, one of flashes, when it is next asked for.
func (s *Server) setFlash(w http.ResponseWriter, r *http.Request, to, key string) {
	path, _, _ := strings.Cut(to, "?")
	if u, err := url.Parse(path); err == nil {
		path = u.Path // as the page's request will have it
	}
	v := url.Values{"k": {key}, "p": {path}}
	http.SetCookie(w, s.newFlashCookie(r, v.Encode(), onceCookieAge))
}

// takeFlash is the key of the banner set for the page r asks for, and
// clears it, so that a reload does not say it again; "" for none. A
// banner set for another page is left for it. The key is only ever
// looked up in flashes: a cookie made up by hand shows nothing.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	v, err := url.ParseQuery(c.Value)
	key := v.Get("k")
	_, known := flashes[key]
	known = known && err == nil
	if known && v.Get("p") != r.URL.Path {
		return ""
	}
	// Said now, or never: a cookie not of setFlash's making is cleared
	// by whichever admin page it comes to.
	http.SetCookie(w, s.newFlashCookie(r, "", -1))
	if !known {
		return ""
	}
	return key
}

// newFlashCookie is flashCookie with value, kept maxAge seconds (-1 clears
// it), for the admin area (onceCookie).
func (s *Server) newFlashCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return s.onceCookie(r, flashCookie, value, "/admin", maxAge)
}

// onceCookie is a cookie that tells the page at path what the form just
// answered did (a banner said once: flashCookie, preferencesSavedCookie),
// kept maxAge seconds (-1 clears it). It is Secure as the session cookie
// is, hidden from scripts, and sent on the site's own requests and on
// links from elsewhere (Lax) but no other.
func (s *Server) onceCookie(r *http.Request, name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode}
}

type flashKey struct{}

// withFlash is r carrying the key of its page's banner (takeFlash), which
// flashFrom reads: pages are shown by GET, and a form answered with its
// page again (422) does not say what the one before it did.
func (s *Server) withFlash(w http.ResponseWriter, r *http.Request) *http.Request {
	if r.Method != http.MethodGet {
		return r
	}
	if key := s.takeFlash(w, r); key != "" {
		return r.WithContext(context.WithValue(r.Context(), flashKey{}, key))
	}
	return r
}

// flashFrom is the key of the banner the page of r says, one of flashes,
// or "".
func flashFrom(r *http.Request) string {
	key, _ := r.Context().Value(flashKey{}).(string)
	return key
}
