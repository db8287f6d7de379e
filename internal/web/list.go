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

// listInput is a new list as the API takes it: public and digest_hour
// default to true and 8 when left out.
type listInput struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Public      *bool  `json:"public"`
	Digest      string `json:"digest"`
	DigestHour  *int   `json:"digest_hour"`
}

func (s *Server) createList(w http.ResponseWriter, r *http.Request) {
	var in listInput
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	l := &subscribers.List{Slug: in.Slug, Name: in.Name, Description: in.Description, Public: true, Digest: in.Digest, DigestHour: 8}
	if in.Public != nil {
		l.Public = *in.Public
	}
	if in.DigestHour != nil {
		l.DigestHour = *in.DigestHour
	}
	if err := s.Subscribers.CreateList(r.Context(), l); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}
