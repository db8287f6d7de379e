package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
)

// feedbackRoutes registers the suppression list and the events, in the
// API and the admin area.
func (s *Server) feedbackRoutes() {
	s.mux.Handle("GET /api/v1/suppressions", s.requireToken(http.HandlerFunc(s.listSuppressions)))
	s.mux.Handle("POST /api/v1/suppressions", s.requireToken(http.HandlerFunc(s.createSuppression)))
	s.mux.Handle("DELETE /api/v1/suppressions/{address}", s.requireToken(http.HandlerFunc(s.liftSuppression)))
	s.mux.Handle("GET /api/v1/events", s.requireToken(http.HandlerFunc(s.listEvents)))
	s.adminHandle("GET /admin/suppressions", s.suppressionsPage)
	s.adminHandle("POST /admin/suppressions", s.addSuppressionForm)
	s.adminHandle("POST /admin/suppressions/lift", s.liftSuppressionForm)
	s.adminHandle("GET /admin/suppressions/export", s.exportSuppressions)
	s.mux.Handle("POST /admin/suppressions/import", adminHeaders(s.limitSuppressionImport(s.requireAdmin(s.styleNotFound(s.importSuppressions)))))
	s.adminHandle("GET /admin/events", s.eventsPage)
}

func (s *Server) listSuppressions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	_, limit, err := keyset("", q.Get("limit"))
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	items, next, err := s.Events.Suppressions(r.Context(), events.SuppressionFilter{Q: q.Get("q"), After: q.Get("after"), Limit: limit})
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if items == nil {
		items = []events.Suppression{}
	}
	p := page[events.Suppression]{Items: items}
	if next != "" {
		p.Next = next
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) createSuppression(w http.ResponseWriter, r *http.Request) {
	var f suppressionForm
	if err := decodeJSON(r, &f); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	target, err := f.target()
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	sp, created, err := s.Events.AddSuppression(r.Context(), target, f.Reason, "api", f.Note)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, createdStatus(created), sp)
}

// liftSuppression takes an address or domain off the list. A reason is
// optional (SPEC §6 names none): given as ?reason= or in a JSON body, it
// is logged. An empty body is no body, whatever its Content-Type.
func (s *Server) liftSuppression(w http.ResponseWriter, r *http.Request) {
	reason := r.URL.Query().Get("reason")
	if reason == "" && hasOptionalBody(r) {
		var body struct {
			Reason string `json:"reason"`
		}
		if err := decodeJSON(r, &body); err != nil {
			writeError(w, r, s.Log, err)
			return
		}
		reason = body.Reason
	}
	if err := s.lift(r, r.PathValue("address"), reason, "api"); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// lift takes target off the suppression list and logs who did it and why
// (reason may be empty): lifting is how a complainer would get mail again.
func (s *Server) lift(r *http.Request, target, reason, by string) error {
	reason, err := liftReason(reason)
	if err != nil {
		return err
	}
	target = liftTarget(target)
	if target == "" {
		return bulletin.Invalid(map[string]string{"address": "give the address or domain to lift"})
	}
	sp, err := s.Events.Lift(r.Context(), target)
	if err != nil {
		return err
	}
	s.Log.Info("suppression lifted", "target", sp.Target(), "was", sp.Reason, "since", sp.CreatedAt, "reason", reason, "by", by)
	return nil
}
