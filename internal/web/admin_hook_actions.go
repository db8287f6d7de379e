package web

import (
	"net/http"
	"net/url"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/hooks"
)

// testHookForm queues a webhook.test event to the endpoint; the delivery
// log shows how it went a moment later.
func (s *Server) testHookForm(w http.ResponseWriter, r *http.Request) {
	e, ok := s.hookOf(w, r)
	if !ok {
		return
	}
	if _, err := s.Hooks.SendTest(r.Context(), e.ID); bulletin.ErrorCode(err) == bulletin.ECONFLICT {
		s.redirectWithFlash(w, r, hookURL(e), "hook-test-disabled")
		return
	} else if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, hookURL(e), "hook-test-sent")
}

// enableHookForm switches the endpoint on, clearing its failure record.
func (s *Server) enableHookForm(w http.ResponseWriter, r *http.Request) {
	s.setHookActive(w, r, true, "hook-enabled")
}

// disableHookForm switches the endpoint off: it gets no new events.
func (s *Server) disableHookForm(w http.ResponseWriter, r *http.Request) {
	s.setHookActive(w, r, false, "hook-disabled")
}

func (s *Server) setHookActive(w http.ResponseWriter, r *http.Request, active bool, flash string) {
	e, ok := s.hookOf(w, r)
	if !ok {
		return
	}
	if _, err := s.Hooks.Update(r.Context(), e.ID, hooks.Input{Active: &active}); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, hookURL(e), flash)
}

// rotateHookForm gives the endpoint a new secret and answers 303 to the
// page that shows it once (hooksPage with ?rotated=): answered with the
// page itself, a refresh rotated again, and the secret just copied into
// the receiver no longer verified.
func (s *Server) rotateHookForm(w http.ResponseWriter, r *http.Request) {
	e, ok := s.hookOf(w, r)
	if !ok {
		return
	}
	e, err := s.Hooks.RotateSecret(r.Context(), e.ID)
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	handle := hookSecrets.put(sessionFrom(r.Context()).CSRF, hookSecretPage{Endpoint: e, Rotated: true})
	http.Redirect(w, r, "/admin/webhooks?"+url.Values{"rotated": {handle}}.Encode(), http.StatusSeeOther)
}

// deleteHookPage asks to confirm the delete.
func (s *Server) deleteHookPage(w http.ResponseWriter, r *http.Request) {
	e, ok := s.hookOf(w, r)
	if !ok {
		return
	}
	s.renderConfirm(w, r, http.StatusOK, hookDeleteConfirm(e))
}

func hookDeleteConfirm(e *hooks.Endpoint) *confirmPage {
	return &confirmPage{
		Title: "Delete webhook endpoint", Back: hookURL(e), Action: hookURL(e) + "/delete",
		Text: "Delete the endpoint " + e.URL + "? It gets no more events, the ones still being retried are dropped, and its delivery log goes.",
		Box:  "Yes, delete this endpoint", Button: "Delete endpoint",
	}
}

// deleteHookForm deletes the endpoint once the box is ticked.
func (s *Server) deleteHookForm(w http.ResponseWriter, r *http.Request) {
	e, ok := s.hookOf(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		p := hookDeleteConfirm(e)
		p.Error = "Tick the box to confirm."
		s.renderConfirm(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if err := s.Hooks.Delete(r.Context(), e.ID); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/webhooks", "hook-deleted")
}
