package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

const (
	sessionCookie    = "bulletin_session"
	loginCSRFCookie  = "bulletin_login_csrf"
	maxLoginFormSize = 8 << 10
)

type sessionKey struct{}

// sessionFrom returns the admin session of a request that passed
// requireAdmin.
func sessionFrom(ctx context.Context) *admins.Session {
	sess, _ := ctx.Value(sessionKey{}).(*admins.Session)
	return sess
}

// requireAdmin lets through only requests with a live session, sending
// others to the login page, and refuses (403) a state-changing request
// whose form lacks the session's CSRF token.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return s.requireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := sessionFrom(r.Context())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if limit, over := overLimit(r); over {
				s.formTooLarge(w, r, limit) // unread, it has no token to check
				return
			}
			if !sess.ValidCSRF(r.PostFormValue("csrf")) {
				s.formExpired(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	}))
}

// requireSession is the first half of requireAdmin: it lets through only
// requests with a live session, in their context, and sends others to the
// login page. Alone, without the CSRF check, it guards only answers that
// change nothing, such as a 405 for a method an admin path does not take.
func (s *Server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sess *admins.Session
		c, err := r.Cookie(sessionCookie)
		if err == nil {
			sess, err = s.Admins.Session(r.Context(), c.Value)
			if bulletin.ErrorCode(err) == bulletin.EINTERNAL {
				s.adminError(w, r, err)
				return
			}
		}
		if sess == nil {
			http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess))
		next.ServeHTTP(w, s.withFlash(w, r))
	})
}

// formExpiredPage is the 403 page of an admin form posted without its
// security token, or with one from an ended session.
type formExpiredPage struct {
	adminPage
	// Back is the page the form was on, or the dashboard; BackLabel
	// names it on the link.
	Back, BackLabel string
	// Reason, when set, says why the token was refused instead of the
	// page's general words, which fit the session's forms.
	Reason string
	// Heading, when set, replaces "This form has expired", which does
	// not fit a browser that sent no cookie at all.
	Heading string
	// Foreign: the form came from another site (crossSiteAdmin), so
	// sending it again from its page is no way on.
	Foreign bool
	// Outcome says what became of the form, after the reason: "Nothing
	// was saved." when empty; a login form refused saves nothing, and
	// says instead that the browser is not logged in.
	Outcome string
	// Note, when set, is all the page says: the form was refused, but
	// what it was for is done (an invite used by this browser, a
	// browser logged in already), and sending it again is no way on.
	Note string
}

// formExpired answers 403 to a form whose CSRF token is missing or stale,
// in the admin layout, with a link back to the form's page: loading it
// again gives the form a fresh token. The page was the Referer, which the
// admin's Referrer-Policy (same-origin) sends within the site.
func (s *Server) formExpired(w http.ResponseWriter, r *http.Request) {
	p := &formExpiredPage{Back: s.formPage(r), BackLabel: "Back to the page"}
	if p.Back == "/admin" {
		p.BackLabel = "Back to the dashboard"
	}
	s.renderAdmin(w, r, http.StatusForbidden, "admin_form_expired", p)
}

// formPage is the path of the admin page r's form was posted from, taken
// from its Referer when that is this site's, without a flash banner that
// was shown once already; else the dashboard. Only the path and query are
// kept, so the link cannot lead off the site.
func (s *Server) formPage(r *http.Request) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || (ref.Scheme != "http" && ref.Scheme != "https") || !s.isSiteHost(r, ref.Host) {
		return "/admin"
	}
	q := ref.Query()
	q.Del("flash")
	back := (&url.URL{Path: ref.Path, RawPath: ref.RawPath, RawQuery: q.Encode()}).RequestURI()
	return safeNext(back)
}

// isSiteHost reports whether host, with its port, is the one r came to or
// that of the public URL links are made with.
func (s *Server) isSiteHost(r *http.Request, host string) bool {
	if host == "" {
		return false
	}
	if strings.EqualFold(host, r.Host) {
		return true
	}
	u, err := url.Parse(s.publicURL(r))
	return err == nil && strings.EqualFold(host, u.Host)
}

type loginPage struct {
	adminPage
	LoginCSRF, Email, Next, Error string
	// LoggedOut says the page follows a logout, which sends here with
	// the flash logged-out, so that the editor sees it worked.
	LoggedOut bool
}

// loginForm shows the login form, or leads an empty install to setup.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if has, err := s.Admins.HasAdmin(r.Context()); err != nil {
		s.adminError(w, r, err)
		return
	} else if !has {
		http.Redirect(w, r, "/admin/setup", http.StatusSeeOther)
		return
	}
	token := s.preSessionCSRF(w, r, loginCSRFCookie, "/admin/login")
	page := &loginPage{LoginCSRF: token, Next: safeNext(r.URL.Query().Get("next"))}
	// Only a browser whose session cookie the logout cleared is told it
	// is logged out, once: the banner is taken (and cleared) either way.
	if _, err := r.Cookie(sessionCookie); s.takeFlash(w, r) == "logged-out" && err != nil {
		page.LoggedOut = true
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_login", page)
}

// login checks the login CSRF cookie (double submit), then the password;
// ten wrong ones in a row lock the address out. A refused password shows
// the form again with the same token, so that a form open in another tab
// still works.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.readPreSessionForm(w, r, "/admin/login") {
		return
	}
	if reason := checkPreSessionCSRF(r, loginCSRFCookie, time.Now()); reason != "" {
		s.refuseLogin(w, r, reason)
		return
	}
	email, next, remote := r.PostForm.Get("email"), safeNext(r.PostForm.Get("next")), clientIP(r)
	secret, sess, err := s.Admins.Login(r.Context(), remote, email, r.PostForm.Get("password"))
	if err != nil {
		s.logLoginFailure(remote, err)
		status := http.StatusUnauthorized
		if errors.Is(err, admins.ErrLocked) {
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", strconv.Itoa(int(admins.LockoutPeriod.Seconds())))
		} else if bulletin.ErrorCode(err) == bulletin.EINTERNAL {
			s.adminError(w, r, err)
			return
		} else if bulletin.ErrorCode(err) == bulletin.EUNAVAILABLE {
			// The session could not be stored for a full disk: the form
			// stays, saying so, to send again once space is freed, with
			// the 503 and Retry-After of the other forms (adminUnavailable).
			s.Log.Error("nothing can be stored", "route", r.Pattern, "err", err)
			status = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", unavailableRetry)
		}
		page := &loginPage{LoginCSRF: s.preSessionCSRF(w, r, loginCSRFCookie, "/admin/login"), Email: email, Next: next, Error: bulletin.ErrorMessage(err)}
		s.renderAdmin(w, r, status, "admin_login", page)
		return
	}
	s.Log.Info("admin logged in", "admin", sess.AdminID, "remote", remote)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode, MaxAge: int(admins.SessionTTL.Seconds())})
	s.rotatePreSessionCSRF(w, r, loginCSRFCookie, "/admin/login")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// refuseLogin answers a login form whose token was refused for reason.
// Most often it was sent again after it signed the browser in (Back,
// then Log in), which ends the forms opened before: the browser signed
// in as the form's email goes where the form was going, and one signed in
// as another admin is told so. Neither starts a session. Only a browser
// not signed in is told the form expired, and that it is not logged in.
func (s *Server) refuseLogin(w http.ResponseWriter, r *http.Request, reason string) {
	next := safeNext(r.PostForm.Get("next"))
	sess, err := s.currentSession(r)
	switch {
	case err != nil:
		s.adminError(w, r, err)
	case sess != nil && strings.EqualFold(strings.TrimSpace(r.PostForm.Get("email")), sess.Email):
		http.Redirect(w, r, next, http.StatusSeeOther)
	case sess != nil:
		s.renderAdmin(w, r, http.StatusConflict, "admin_form_expired", &formExpiredPage{
			Heading: "You are already logged in", Back: next, BackLabel: "Go on as " + sess.Email,
			Note: "This browser is logged in as " + sess.Email + ". To log in as someone else, log out first, then log in again."})
	default:
		p := &formExpiredPage{Back: "/admin/login?next=" + url.QueryEscape(next), BackLabel: "Back to the login page",
			Reason: reason, Outcome: "You are not logged in."}
		if reason == csrfReasonNoCookie {
			p.Heading = "This form needs a cookie"
		}
		s.renderAdmin(w, r, http.StatusForbidden, "admin_form_expired", p)
	}
}

// currentSession is the live session r's cookie names, or nil: unlike
// requireSession it lets a request without one through, for the forms
// that come before a session to say what a signed-in browser should hear.
func (s *Server) currentSession(r *http.Request) (*admins.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	sess, err := s.Admins.Session(r.Context(), c.Value)
	if bulletin.ErrorCode(err) == bulletin.EINTERNAL {
		return nil, err
	}
	return sess, nil
}

// logLoginFailure logs a login refused to remote at WARN, one line each,
// for the operator and for tools such as fail2ban that watch the log: the
// address, whether it is locked out, and the admin when the email named
// one. Never the email typed, which may be a reader's address or a
// password typed in the wrong field, nor the password. An internal error
// is no failure of the login's: adminError logs it.
func (s *Server) logLoginFailure(remote string, err error) {
	var bad *admins.LoginError
	switch {
	case errors.As(err, &bad):
		attrs := []any{"remote", remote, "locked", bad.Locked, "reason", "wrong email or password"}
		if bad.AdminID != 0 {
			attrs = append(attrs, "admin", bad.AdminID)
		}
		s.Log.Warn("admin login failed", attrs...)
	case errors.Is(err, admins.ErrLocked):
		s.Log.Warn("admin login failed", "remote", remote, "locked", true, "reason", "locked out")
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Admins.Logout(r.Context(), c.Value); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
	s.redirectWithFlash(w, r, "/admin/login", "logged-out")
}

// safeNext keeps a redirect target only when it is a path in the admin
// area, so the login form cannot send anyone elsewhere.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/admin"
}
