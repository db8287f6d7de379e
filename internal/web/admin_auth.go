package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if bodyOverLimit(r) {
				s.adminFail(w, r, errTooLarge) // unread, it has no token to check
				return
			}
			if !sess.ValidCSRF(r.PostFormValue("csrf")) {
				http.Error(w, "Forbidden: the form is missing its security token or it has expired. Go back, reload the page and try again.", http.StatusForbidden)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

type loginPage struct {
	adminPage
	LoginCSRF, Email, Next, Error string
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
	token := newCSRFCookie(w, s.secureCookies(r))
	s.renderAdmin(w, r, http.StatusOK, "admin_login", &loginPage{LoginCSRF: token, Next: safeNext(r.URL.Query().Get("next"))})
}

// login checks the login CSRF cookie (double submit), then the password;
// ten wrong ones in a row lock the address out.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginFormSize)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad request.", http.StatusBadRequest)
		return
	}
	c, err := r.Cookie(loginCSRFCookie)
	form := r.PostForm.Get("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		http.Error(w, "Forbidden: reload the login page and try again.", http.StatusForbidden)
		return
	}
	email, next := r.PostForm.Get("email"), safeNext(r.PostForm.Get("next"))
	secret, _, err := s.Admins.Login(r.Context(), clientIP(r), email, r.PostForm.Get("password"))
	if err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, admins.ErrLocked) {
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", strconv.Itoa(int(admins.LockoutPeriod.Seconds())))
		} else if bulletin.ErrorCode(err) == bulletin.EINTERNAL {
			s.adminError(w, r, err)
			return
		}
		page := &loginPage{LoginCSRF: newCSRFCookie(w, s.secureCookies(r)), Email: email, Next: next, Error: bulletin.ErrorMessage(err)}
		s.renderAdmin(w, r, status, "admin_login", page)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode, MaxAge: int(admins.SessionTTL.Seconds())})
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Path: "/admin/login", MaxAge: -1})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Admins.Logout(r.Context(), c.Value); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

func newCSRFCookie(w http.ResponseWriter, secure bool) string {
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/admin/login", HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	return token
}

// safeNext keeps a redirect target only when it is a path in the admin
// area, so the login form cannot send anyone elsewhere.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/admin"
}
