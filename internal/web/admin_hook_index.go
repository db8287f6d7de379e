package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/hooks"
)

// hookAdminRoutes registers the admin's webhook pages.
func (s *Server) hookAdminRoutes() {
	s.adminHandle("GET /admin/webhooks", s.hooksPage)
	s.adminHandle("POST /admin/webhooks", s.createHookForm)
	s.adminHandle("GET /admin/webhooks/{id}", s.hookPage)
	s.adminHandle("POST /admin/webhooks/{id}", s.updateHookForm)
	s.adminHandle("POST /admin/webhooks/{id}/test", s.testHookForm)
	s.adminHandle("POST /admin/webhooks/{id}/enable", s.enableHookForm)
	s.adminHandle("POST /admin/webhooks/{id}/disable", s.disableHookForm)
	s.adminHandle("POST /admin/webhooks/{id}/rotate", s.rotateHookForm)
	s.adminHandle("GET /admin/webhooks/{id}/delete", s.deleteHookPage)
	s.adminHandle("POST /admin/webhooks/{id}/delete", s.deleteHookForm)
}

// A hookForm is the endpoint form as posted, to show again.
type hookForm struct {
	URL, Description string
	Events           map[string]bool
}

// hookFormFrom reads the endpoint form into what the store takes.
func hookFormFrom(r *http.Request) (hookForm, hooks.Input) {
	f := hookForm{URL: strings.TrimSpace(r.PostFormValue("url")), Description: r.PostFormValue("description"), Events: map[string]bool{}}
	evs := r.PostForm["events"]
	for _, e := range evs {
		f.Events[e] = true
	}
	if evs == nil {
		evs = []string{}
	}
	return f, hooks.Input{URL: &f.URL, Description: &f.Description, Events: &evs}
}

// A hooksPage lists the endpoints with the form for a new one, and a
// notice for each endpoint Bulletin switched off.
type hooksPage struct {
	adminPage
	Endpoints []hooks.Endpoint
	Disabled  []hooks.Endpoint
	Types     []string
	Form      hookForm
	Errors    map[string]string
	Error     string
	// ShownAlready says a secret's page was asked for again, after its
	// one view: the secret is gone.
	ShownAlready bool
}

// hooksPage shows the endpoints. With ?created=HANDLE or ?rotated=HANDLE,
// the answer to the form that added an endpoint or rotated its secret, it
// shows that secret instead, once: asked again (a refresh, Back), the
// list says it was shown already.
func (s *Server) hooksPage(w http.ResponseWriter, r *http.Request) {
	p := &hooksPage{Form: hookForm{Events: map[string]bool{}}}
	q := r.URL.Query()
	handle := q.Get("created")
	if handle == "" {
		handle = q.Get("rotated")
	}
	if handle != "" {
		if sp, ok := hookSecrets.take(sessionFrom(r.Context()).CSRF, handle); ok {
			s.renderAdmin(w, r, http.StatusOK, "admin_hook_secret", &sp)
			return
		}
		p.ShownAlready = true
	}
	s.renderHooks(w, r, p, nil)
}

// renderHooks shows the endpoints, with err from a refused form.
func (s *Server) renderHooks(w http.ResponseWriter, r *http.Request, p *hooksPage, err error) {
	list, lerr := s.Hooks.List(r.Context())
	if lerr != nil {
		s.adminError(w, r, lerr)
		return
	}
	p.Endpoints, p.Types = list, hooks.Types
	for _, e := range list {
		if !e.Active && e.DisabledAt != nil {
			p.Disabled = append(p.Disabled, e)
		}
	}
	status := http.StatusOK
	switch bulletin.ErrorCode(err) {
	case "":
	case bulletin.EINVALID:
		status, p.Errors, p.Error = http.StatusUnprocessableEntity, sentences(bulletin.ErrorFields(err)), refusedForm
	default:
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, status, "admin_hooks", p)
}

// A hookSecretPage shows an endpoint's secret, once: after it is
// created or its secret rotated.
type hookSecretPage struct {
	adminPage
	Endpoint *hooks.Endpoint
	Rotated  bool
}

// hookSecrets holds the secret pages of endpoints just added or rotated
// until they are shown, as newTokens does for tokens. A serve restarted
// in between loses them; the list then says to rotate the secret.
var hookSecrets = &shownOnce[hookSecretPage]{}

// createHookForm adds an endpoint and answers 303 to the page that shows
// its secret once (hooksPage with ?created=): answered with the page
// itself, a refresh posted the form again and added a second endpoint of
// the same URL, which then got every event twice.
func (s *Server) createHookForm(w http.ResponseWriter, r *http.Request) {
	f, in := hookFormFrom(r)
	e, err := s.Hooks.Create(r.Context(), in)
	if err != nil {
		s.renderHooks(w, r, &hooksPage{Form: f}, err)
		return
	}
	handle := hookSecrets.put(sessionFrom(r.Context()).CSRF, hookSecretPage{Endpoint: e})
	http.Redirect(w, r, "/admin/webhooks?"+url.Values{"created": {handle}}.Encode(), http.StatusSeeOther)
}
