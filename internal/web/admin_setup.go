package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/subscribers"
)

// setupCSRFCookie holds the setup form's CSRF token (double submit, as the
// login form's): there is no session yet to keep one in.
const setupCSRFCookie = "bulletin_setup_csrf"

// The setup page's words for a browser on another host, by whether serve
// has a code for it.
const (
	setupNeedsCode = "You are not on the server's own host, so setup needs the one-time setup code " +
		"that bulletin serve printed in its log at start-up (the line with /admin/setup). Type it below."
	setupHasNoCode = "Setup from another host needs the setup code from the log, and this server has none: " +
		"it prints one at start-up only when no admin exists. Restart bulletin serve and copy the code from its log, " +
		"open this page on the server's own host, or run bulletin admin create there."
)

// A setupPage is first-run setup: the first admin and the first list.
type setupPage struct {
	adminPage
	SetupCSRF string
	Local     bool // on the server's own host: no code needed
	HasCode   bool // serve printed a code
	NeedList  bool // no list exists yet
	MinLen    int
	// PasswordHint says the password's limits (passwordHint).
	PasswordHint string
	Email        string
	ListName     string
	ListSlug     string
	Code         string // a right code, kept when other fields were wrong
	// BadCode marks the code field at fault: the post had none, or a
	// wrong one. A lockout says nothing of the code typed.
	BadCode bool
	// Publication asks for the publication's name, public URL and From:
	// when the settings are wired.
	Publication bool
	setupPublication
	// Hint says, to a browser on another host that has posted nothing
	// yet, where the setup code is: how to fill in the form, no error.
	Hint   string
	Errors map[string]string
	Error  string
}

// setupForm shows first-run setup while no admin exists. It is outside
// requireAdmin: it is how the first admin gets in. A browser on another
// host gets the form with a code field and a line saying where the code
// is: nothing was posted, so nothing is in error, and the form answers
// 200 like any other; only its post is refused (403) without the code.
// When serve has no code, setup cannot be done from there at all: the
// page says how to get one, with no form, and answers 403.
func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) {
	if !s.setupOpen(w, r) {
		return
	}
	p, status := &setupPage{}, http.StatusOK
	if s.Settings != nil {
		p.prefill(r.Context(), s.Settings)
	}
	if !s.fromServerHost(r) {
		p.Hint = s.setupCodeHint()
		if s.Setup == nil {
			status = http.StatusForbidden
		}
	}
	s.renderSetup(w, r, status, p)
}

// setup takes the setup form: it checks the code when the browser is on
// another host, then every field, and only then makes the admin (logged
// in) and the first list.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	if !s.readPreSessionForm(w, r, "/admin/setup") {
		return
	}
	if !s.setupOpen(w, r) {
		return
	}
	if reason := checkPreSessionCSRF(r, setupCSRFCookie, time.Now()); reason != "" {
		s.refusePreSession(w, r, "/admin/setup", "Back to the setup page", reason)
		return
	}
	f := r.PostForm
	p := &setupPage{Email: f.Get("email"), ListName: f.Get("list_name"), ListSlug: f.Get("list_slug"),
		setupPublication: setupPublication{PubName: f.Get("publication_name"), PublicURL: f.Get("public_url"), FromAddress: f.Get("from_address")}}
	if !s.fromServerHost(r) && !s.checkSetupCode(w, r, p) {
		return
	}
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	patch := &subscribers.ListPatch{Name: &p.ListName, Slug: &p.ListSlug}
	if patch.MakeSlug() {
		p.ListSlug = *patch.Slug // and shown, if another field is refused
	}
	list := subscribers.NewList(patch)
	fields := setupErrors(f, list, len(lists) == 0)
	var pub *settings.Update
	if s.Settings != nil {
		if pub, err = p.update(r.Context(), s.Settings, fields); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	if len(fields) > 0 {
		p.Errors, p.Error = fields, refusedForm
		s.renderSetup(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	secret, _, err := s.Admins.CreateFirstAdmin(r.Context(), p.Email, f.Get("password"))
	if errors.Is(err, admins.ErrSetupDone) {
		s.setupDone(w, r) // a setup that raced this one won
		return
	} else if err != nil {
		s.adminError(w, r, err)
		return
	}
	s.Setup.spend()
	next, flash := "/admin", "setup-done"
	if pub != nil {
		if err := s.Settings.Save(r.Context(), pub); err != nil {
			s.Log.Error("setup: save the publication settings", "err", err)
			next, flash = "/admin/settings", "setup-no-settings"
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode, MaxAge: int(admins.SessionTTL.Seconds())})
	http.SetCookie(w, &http.Cookie{Name: setupCSRFCookie, Path: "/admin/setup", MaxAge: -1})
	if len(lists) == 0 {
		if err := s.Subscribers.CreateList(r.Context(), list); err != nil {
			s.Log.Error("setup: create first list", "err", err)
			next, flash = "/admin/lists", "setup-no-list"
		}
	}
	s.redirectWithFlash(w, r, next, flash)
}

// setupErrors checks every field of the setup form at once, by the form's
// field names; the list's only when one is to be made.
func setupErrors(f url.Values, list *subscribers.List, needList bool) map[string]string {
	get := f.Get
	fields := map[string]string{}
	for k, v := range bulletin.ErrorFields(admins.ValidateNewAdmin(get("email"), get("password"))) {
		fields[k] = v
	}
	if get("password") != get("password2") {
		fields["password2"] = "The passwords do not match: type the same one twice."
	}
	if needList {
		lf := bulletin.ErrorFields(list.Validate())
		if why := lf["name"]; why != "" {
			fields["list_name"] = "Name: " + why + "."
		}
		if why := lf["slug"]; why != "" {
			why += slugSuggestion(list.Slug)
			// Left empty, as the field says, it was made from the name.
			if strings.TrimSpace(get("list_slug")) == "" {
				why = subscribers.NoSlugFrom(list.Name)
			}
			if why != "" {
				fields["list_slug"] = "Slug: " + why + "."
			}
		}
	}
	return fields
}

// checkSetupCode lets a browser on another host on with the right code,
// counting a wrong one like a wrong password; otherwise it answers the
// form again with why, and returns false.
func (s *Server) checkSetupCode(w http.ResponseWriter, r *http.Request, p *setupPage) bool {
	code := r.PostForm.Get("code")
	if code == "" || s.Setup == nil {
		p.Error, p.BadCode = s.setupCodeHint(), true
		s.renderSetup(w, r, http.StatusForbidden, p)
		return false
	}
	err := s.Admins.TrySetupCode(r.Context(), clientIP(r), s.Setup.match(code))
	switch {
	case err == nil:
		p.Code = code
		return true
	case errors.Is(err, admins.ErrLocked):
		w.Header().Set("Retry-After", strconv.Itoa(int(admins.LockoutPeriod.Seconds())))
		p.Error = "Too many wrong setup codes or passwords came from your connection (its IP address). Try again in 15 minutes."
		s.renderSetup(w, r, http.StatusTooManyRequests, p)
	case errors.Is(err, admins.ErrSetupCode):
		p.Error, p.BadCode = bulletin.ErrorMessage(err), true
		s.renderSetup(w, r, http.StatusForbidden, p)
	default:
		s.adminError(w, r, err)
	}
	return false
}

// setupOpen answers setupDone and returns false once an admin exists:
// setup is for an empty install only.
func (s *Server) setupOpen(w http.ResponseWriter, r *http.Request) bool {
	has, err := s.Admins.HasAdmin(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return false
	}
	if has {
		s.setupDone(w, r)
		return false
	}
	return true
}

// setupDone answers the setup page or form once an admin exists. It was a
// plain-text 404, most often to the browser that had just done setup: a
// form sent twice (a double click, or Back and the button again), or the
// page opened again with Back. The page goes where setup led, the
// dashboard for a browser logged in, else the login page; so does the
// form of the admin this browser is logged in as. Any other form is told
// that setup is done and nothing was changed, with a link to log in (409):
// the login page says as much to anyone, and the page names no admin.
func (s *Server) setupDone(w http.ResponseWriter, r *http.Request) {
	sess, err := s.currentSession(r)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case sess != nil && (get || strings.EqualFold(strings.TrimSpace(r.PostForm.Get("email")), sess.Email)):
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
	case get:
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
	default:
		p := &formExpiredPage{Heading: "Bulletin is set up already", Back: "/admin/login", BackLabel: "Log in",
			Note: "Setup was done before this form arrived, so it changed nothing. Log in with the email and password chosen at setup; " +
				"to join as another admin, ask an admin for an invite from the Team page."}
		if sess != nil {
			p.Back, p.BackLabel = "/admin", "Go on as "+sess.Email
			p.Note = "Setup was done before this form arrived, so it changed nothing. This browser is logged in as " + sess.Email + "."
		}
		s.renderAdmin(w, r, http.StatusConflict, "admin_form_expired", p)
	}
}

func (s *Server) setupCodeHint() string {
	if s.Setup == nil {
		return setupHasNoCode
	}
	return setupNeedsCode
}

// renderSetup shows the setup form with its CSRF token, the browser's
// own kept (preSessionCSRF): a second tab or a refused attempt leaves
// every setup form already open valid.
func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, status int, p *setupPage) {
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p.NeedList, p.Local, p.HasCode = len(lists) == 0, s.fromServerHost(r), s.Setup != nil
	p.Publication = s.Settings != nil
	p.SetupCSRF = s.preSessionCSRF(w, r, setupCSRFCookie, "/admin/setup")
	p.MinLen, p.PasswordHint = admins.MinPasswordLen, passwordHint
	s.renderAdmin(w, r, status, "admin_setup", p)
}
