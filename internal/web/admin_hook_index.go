package web

import (
	"net/http"
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
}

func (s *Server) hooksPage(w http.ResponseWriter, r *http.Request) {
	s.renderHooks(w, r, &hooksPage{Form: hookForm{Events: map[string]bool{}}}, nil)
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
		status, p.Errors, p.Error = http.StatusUnprocessableEntity, bulletin.ErrorFields(err), "The endpoint was not added: fix the fields marked below."
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

// createHookForm adds an endpoint and shows its secret.
func (s *Server) createHookForm(w http.ResponseWriter, r *http.Request) {
	f, in := hookFormFrom(r)
	e, err := s.Hooks.Create(r.Context(), in)
	if err != nil {
		s.renderHooks(w, r, &hooksPage{Form: f}, err)
		return
	}
	s.renderAdmin(w, r, http.StatusCreated, "admin_hook_secret", &hookSecretPage{Endpoint: e})
}
