package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/hooks"
)

// A hookPage shows one endpoint: its form, its state and its delivery log.
type hookPage struct {
	adminPage
	Endpoint   *hooks.Endpoint
	Deliveries []hooks.Delivery
	Types      []string
	Form       hookForm
	Errors     map[string]string
	Error      string
}

// hookOf returns the endpoint named by the path's id, answering 404
// itself when there is none.
func (s *Server) hookOf(w http.ResponseWriter, r *http.Request) (*hooks.Endpoint, bool) {
	list, err := s.Hooks.List(r.Context())
	return byPathID(s, w, r, list, err, func(e *hooks.Endpoint) int64 { return e.ID })
}

func (s *Server) hookPage(w http.ResponseWriter, r *http.Request) {
	e, ok := s.hookOf(w, r)
	if !ok {
		return
	}
	f := hookForm{URL: e.URL, Description: e.Description, Events: map[string]bool{}}
	for _, t := range e.Events {
		f.Events[t] = true
	}
	s.renderHook(w, r, &hookPage{Endpoint: e, Form: f}, nil)
}

// renderHook shows p's endpoint with its newest 50 deliveries, and err
// from a refused form.
func (s *Server) renderHook(w http.ResponseWriter, r *http.Request, p *hookPage, err error) {
	log, lerr := s.Hooks.Deliveries(r.Context(), p.Endpoint.ID, 50)
	if lerr != nil {
		s.adminFailed(w, r, lerr)
		return
	}
	p.Deliveries, p.Types = log, hooks.Types
	status := http.StatusOK
	switch bulletin.ErrorCode(err) {
	case "":
	case bulletin.EINVALID:
		status, p.Errors, p.Error = http.StatusUnprocessableEntity, sentences(bulletin.ErrorFields(err)), refusedForm
	default:
		s.adminFailed(w, r, err)
		return
	}
	s.renderAdmin(w, r, status, "admin_hook", p)
}

// updateHookForm saves the endpoint's URL, description and events.
func (s *Server) updateHookForm(w http.ResponseWriter, r *http.Request) {
	e, ok := s.hookOf(w, r)
	if !ok {
		return
	}
	f, in := hookFormFrom(r)
	if _, err := s.Hooks.Update(r.Context(), e.ID, in); err != nil {
		s.renderHook(w, r, &hookPage{Endpoint: e, Form: f}, err)
		return
	}
	s.redirectWithFlash(w, r, hookURL(e), "hook-saved")
}

// hookURL is the admin page of endpoint e.
func hookURL(e *hooks.Endpoint) string {
	return "/admin/webhooks/" + strconv.FormatInt(e.ID, 10)
}
