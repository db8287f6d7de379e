package web

import (
	"maps"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
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
	if body, err := decodeJSONBody(r, &in); err != nil {
		writeError(w, r, s.Log, s.listRest(r, body, err, false))
		return
	}
	// A slug left out, or empty, is made from the name, as the admin's
	// new-list form makes it; its faults then say so (madeSlugFault).
	made := in.MakeSlug()
	l := subscribers.NewList(&in)
	err := s.Subscribers.CreateList(r.Context(), l, welcomeRenders)
	if err != nil && made {
		err = explainMadeSlug(err, l)
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

// listRest is err, the refusal of a list's body (POST, or the PATCH of
// the list r's path names when patch) some members of which are at fault
// as JSON (an hour that is no number, a member no list has), with what
// the save would refuse of the members that are not (CheckList,
// CheckListPatch): a name too long, a time zone unknown. err is returned
// as it is when it names no member, and with only its own fields when
// the list is gone (the save's to say).
func (s *Server) listRest(r *http.Request, body []byte, err error, patch bool) error {
	var in subscribers.ListPatch
	fields, ok := bodyRest(body, err, &in)
	if !ok {
		return err
	}
	var cerr error
	if patch {
		slug, serr := s.storedSlug(r)
		if serr != nil {
			return err
		}
		cerr = s.Subscribers.CheckListPatch(r.Context(), slug, &in, welcomeRenders)
	} else {
		made := in.MakeSlug()
		l := subscribers.NewList(&in)
		if cerr = s.Subscribers.CheckList(r.Context(), l, welcomeRenders); cerr != nil && made {
			cerr = explainMadeSlug(cerr, l)
		}
	}
	return withFaults(fields, cerr, &in)
}

// explainMadeSlug is err, the refusal of new list l whose slug was made
// from its name, with the slug's fault worded for a slug the client left
// out: a made slug another list has is that fault, not a conflict over a
// slug never sent.
func explainMadeSlug(err error, l *subscribers.List) error {
	var fields map[string]string
	switch bulletin.ErrorCode(err) {
	case bulletin.ECONFLICT:
		fields = map[string]string{"slug": subscribers.SlugTaken}
	case bulletin.EINVALID:
		fields = maps.Clone(bulletin.ErrorFields(err))
	default:
		return err
	}
	madeSlugFault(fields, l.Name, l.Slug)
	return bulletin.Invalid(fields)
}

// getList answers the list the path names in any case, as every other
// endpoint reads a slug (FindList): /api/v1/lists/DAILY-NEWS is
// daily-news.
func (s *Server) getList(w http.ResponseWriter, r *http.Request) {
	l, err := s.Subscribers.FindList(r.Context(), r.PathValue("slug"))
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// patchList changes the fields the JSON names and answers with the list.
func (s *Server) patchList(w http.ResponseWriter, r *http.Request) {
	var in subscribers.ListPatch
	if body, err := decodeJSONBody(r, &in); err != nil {
		writeError(w, r, s.Log, s.listRest(r, body, err, true))
		return
	}
	slug, err := s.storedSlug(r)
	var l *subscribers.List
	if err == nil {
		l, err = s.Subscribers.UpdateList(r.Context(), slug, &in, welcomeRenders)
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// deleteList answers 204, or 409 while a campaign is sending to the list.
func (s *Server) deleteList(w http.ResponseWriter, r *http.Request) {
	slug, err := s.storedSlug(r)
	if err == nil {
		err = s.Subscribers.DeleteList(r.Context(), slug)
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// storedSlug is the slug of the list the path names in any case
// (FindList), as the store keeps it, for the calls that compare slugs as
// stored; a slug that names no list is a 404 quoting it as typed.
func (s *Server) storedSlug(r *http.Request) (string, error) {
	l, err := s.Subscribers.FindList(r.Context(), r.PathValue("slug"))
	if err != nil {
		return "", err
	}
	return l.Slug, nil
}
