package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/subscribers"
)

func (s *Server) listLists(w http.ResponseWriter, r *http.Request) {
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(lists, 0))
}

// createList takes a list as JSON; a field left out takes the default of
// subscribers.NewList (public, digest off, 08:00 on Mondays, UTC).
func (s *Server) createList(w http.ResponseWriter, r *http.Request) {
	var in subscribers.ListPatch
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	l := subscribers.NewList(&in)
	if err := s.Subscribers.CreateList(r.Context(), l, welcomeRenders); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

func (s *Server) getList(w http.ResponseWriter, r *http.Request) {
	l, err := s.Subscribers.ListBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// patchList changes the fields the JSON names and answers with the list.
func (s *Server) patchList(w http.ResponseWriter, r *http.Request) {
	var in subscribers.ListPatch
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	l, err := s.Subscribers.UpdateList(r.Context(), r.PathValue("slug"), &in, welcomeRenders)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// deleteList answers 204, or 409 while a campaign is sending to the list.
func (s *Server) deleteList(w http.ResponseWriter, r *http.Request) {
	if err := s.Subscribers.DeleteList(r.Context(), r.PathValue("slug")); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
