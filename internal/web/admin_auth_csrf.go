package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The login and invite forms come before any session, so their CSRF
// token is a double submit: a random value in a cookie scoped to the
// form's path, which another site can neither read nor send (SameSite
// Strict), and the same value in the form. It binds the form to this
// browser, so a page elsewhere cannot sign the editor in to an account of
// its choosing.
//
// One value serves every form the browser shows: a second tab, a reload
// or a refused attempt reuses the value its cookie holds, so a form still
// open in another tab keeps working. The cookie lasts an hour after the
// last form shown. A sign-in through a form replaces its value, so no
// form of that kind shown before it can be sent after it.
const (
	preSessionCSRFBytes = 24
	preSessionCSRFTTL   = time.Hour
)

// The reasons a pre-session form's token is refused, for its 403 page
// after "Forbidden: ".
const (
	csrfReasonMissing  = "the form is missing its security token or it has expired: reload the page for a fresh one."
	csrfReasonOld      = "this form was opened more than an hour ago, and its security token lasts an hour: reload the page for a fresh one."
	csrfReasonNoCookie = "your browser did not send back the cookie this form needs (the security token it was opened with): " +
		"allow cookies for this site, then reload the page."
	csrfReasonSignedIn = "the security token of this form is not the one this browser holds now: the form was opened before a sign-in with it " +
		"(which ends the forms opened before it), in another browser, or before this site's cookies were cleared: reload the page for a fresh one."
)

// preSessionCSRF sets the cookie name for the form at path and returns
// the token for the form's hidden field. A well-formed value the browser
// already holds is kept, so that other forms it shows stay valid; the
// cookie's hour starts again. The token is the value, a dot and the time
// the form was shown, which only picks the words of a refusal.
func (s *Server) preSessionCSRF(w http.ResponseWriter, r *http.Request, name, path string) string {
	value := ""
	if c, err := r.Cookie(name); err == nil && wellFormedCSRF(c.Value) {
		value = c.Value
	} else {
		value = randomCSRF()
	}
	setPreSessionCSRF(w, s.secureCookies(r), name, path, value)
	return value + "." + strconv.FormatInt(time.Now().Unix(), 10)
}

// rotatePreSessionCSRF gives the browser a new value at a sign-in, which
// no form shown before it holds: a form left open in another tab cannot
// sign in again, and a value planted before the sign-in is gone.
func (s *Server) rotatePreSessionCSRF(w http.ResponseWriter, r *http.Request, name, path string) {
	setPreSessionCSRF(w, s.secureCookies(r), name, path, randomCSRF())
}

func setPreSessionCSRF(w http.ResponseWriter, secure bool, name, path, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: int(preSessionCSRFTTL.Seconds())})
}

// checkPreSessionCSRF compares, in constant time, the token of r's parsed
// form with the cookie name. It returns "" when they match, else why not,
// for the refusal's page.
func checkPreSessionCSRF(r *http.Request, name string, now time.Time) string {
	value, shown, ok := strings.Cut(r.PostForm.Get("csrf"), ".")
	sec, err := strconv.ParseInt(shown, 10, 64)
	if !ok || err != nil || !wellFormedCSRF(value) {
		return csrfReasonMissing
	}
	c, cerr := r.Cookie(name)
	if cerr == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(value)) == 1 {
		return ""
	}
	switch {
	case now.Sub(time.Unix(sec, 0)) >= preSessionCSRFTTL:
		return csrfReasonOld
	case cerr != nil:
		return csrfReasonNoCookie
	default:
		return csrfReasonSignedIn
	}
}

// refusePreSession answers 403 to a pre-session form (login, invite,
// setup) whose token checkPreSessionCSRF refused for reason, with a link
// back to the form's page.
func (s *Server) refusePreSession(w http.ResponseWriter, r *http.Request, back, backLabel, reason string) {
	p := &formExpiredPage{Back: back, BackLabel: backLabel, Reason: reason}
	if reason == csrfReasonNoCookie {
		p.Heading = "This form needs a cookie"
	}
	s.renderAdmin(w, r, http.StatusForbidden, "admin_form_expired", p)
}

func randomCSRF() string {
	b := make([]byte, preSessionCSRFBytes)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// wellFormedCSRF reports whether v could be a value randomCSRF made: a
// cookie of another shape (set by something else) is not reused.
func wellFormedCSRF(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == preSessionCSRFBytes
}

// crossSiteAdmin refuses a request to the admin area that a browser says
// came from another origin (Sec-Fetch-Site, else Origin against Host), as
// net/http's CrossOriginProtection judges it, before any handler: a form
// posted from a sibling subdomain ("same-site") could otherwise plant the
// pre-session forms' cookie and its value with it (cookie tossing) and
// sign the editor in to an account of its choosing. GET and HEAD pass, as
// do requests without either header (not a browser's form). The public
// pages, the API and the one-click unsubscribe are left alone: they are
// meant to be posted to from elsewhere.
func (s *Server) crossSiteAdmin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin" || strings.HasPrefix(r.URL.Path, "/admin/") {
			if err := cop.Check(r); err != nil {
				s.renderAdmin(w, r, http.StatusForbidden, "admin_form_expired", &formExpiredPage{
					Back: "/admin", BackLabel: "Go to the admin area", Heading: "Sent from another site", Foreign: true,
					Reason: "this form was sent from a page of another site, which may not act in this admin area."})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
