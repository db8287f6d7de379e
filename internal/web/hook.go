package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// HookDeps are the outgoing webhooks' dependencies: their endpoints and
// delivery log. Without them the webhook routes are not registered.
type HookDeps struct {
	Hooks *hooks.Store
}

// hookRoutes registers the outgoing webhooks' API and admin pages.
func (s *Server) hookRoutes() {
	if s.Hooks == nil {
		return
	}
	s.mux.Handle("GET /api/v1/webhooks", s.requireToken(http.HandlerFunc(s.listHooks)))
	s.mux.Handle("POST /api/v1/webhooks", s.requireToken(http.HandlerFunc(s.createHook)))
	s.mux.Handle("GET /api/v1/webhooks/{id}", s.requireToken(http.HandlerFunc(s.getHook)))
	s.mux.Handle("PATCH /api/v1/webhooks/{id}", s.requireToken(http.HandlerFunc(s.patchHook)))
	s.mux.Handle("DELETE /api/v1/webhooks/{id}", s.requireToken(http.HandlerFunc(s.deleteHook)))
	s.mux.Handle("GET /api/v1/webhooks/{id}/deliveries", s.requireToken(http.HandlerFunc(s.hookDeliveries)))
	s.mux.Handle("POST /api/v1/webhooks/{id}/test", s.requireToken(http.HandlerFunc(s.testHook)))
	s.hookAdminRoutes()
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	list, err := s.Hooks.List(r.Context())
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(list, 0))
}

// createHook answers 201 with the endpoint and its secret, which no
// other answer shows.
func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	var in hooks.Input
	if body, err := decodeJSONBody(r, &in); err != nil {
		writeError(w, r, s.Log, s.hookRest(r, body, err, 0))
		return
	}
	e, err := s.Hooks.Create(r.Context(), in)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

func (s *Server) getHook(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	e, err := s.Hooks.Get(r.Context(), id)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// patchHook changes the fields given; {"active":true} enables an
// endpoint again after Bulletin disabled it.
func (s *Server) patchHook(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	var in hooks.Input
	if body, err := decodeJSONBody(r, &in); err != nil {
		writeError(w, r, s.Log, s.hookRest(r, body, err, id))
		return
	}
	e, err := s.Hooks.Update(r.Context(), id, in)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// hookRest is err, the refusal of an endpoint's body (POST, or the PATCH
// of endpoint id) some members of which are at fault as JSON (active
// that is no true or false, a member no endpoint has), with what the
// save would refuse of the members that are not (Store.Check): a URL
// that is no http one, an event type unknown. err is returned as it is
// when it names no member, and with only its own fields when the
// endpoint is gone (the save's to say).
func (s *Server) hookRest(r *http.Request, body []byte, err error, id int64) error {
	var in hooks.Input
	fields, ok := bodyRest(body, err, &in)
	if !ok {
		return err
	}
	return withFaults(fields, s.Hooks.Check(r.Context(), id, in), &in)
}

func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if err := s.Hooks.Delete(r.Context(), id); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// hookDeliveries pages through the deliveries, newest first (?after=,
// ?limit=, 50 by default): next is the after of the older ones.
func (s *Server) hookDeliveries(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	after, limit, err := keyset(r.URL.Query().Get("after"), r.URL.Query().Get("limit"))
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if limit == 0 {
		limit = 50
	}
	list, next, err := s.Hooks.DeliveriesPage(r.Context(), id, after, limit)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(list, next))
}

// testHook queues a webhook.test event to the endpoint and answers 202
// with its webhook-id, to find in the delivery log.
func (s *Server) testHook(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	msgID, err := s.Hooks.SendTest(r.Context(), id)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": msgID})
}
