package web

import (
	"net/http"
)

// preferencesEraseData is the data of pages/preferences_erase.html.
type preferencesEraseData struct {
	Title string
	Email string
	// Signup is whether a reader can sign up here now (signupOpen): the
	// page then points to the form a reader who wants the mail back uses.
	Signup         bool
	PreferencesURL string
	DataURL        string
}

// preferencesEraseForm says what erasing the reader's data does, with one
// button that POSTs to preferencesErase. A GET changes nothing: mail
// scanners fetch every link, and this one is a page's, but may be copied
// into a mail.
func (s *Server) preferencesEraseForm(w http.ResponseWriter, r *http.Request) {
	id, ok := s.preferencesReader(w, r)
	if !ok {
		return
	}
	sub, err := s.Subscribers.Get(r.Context(), id)
	if s.readerFailed(w, r, err) {
		return
	}
	prefs := preferencesPath(r)
	s.renderPage(w, r, http.StatusOK, "preferences_erase", preferencesEraseData{
		Title: "Delete your data", Email: sub.Email, Signup: s.signupOpen(r),
		PreferencesURL: prefs, DataURL: prefs + "/data",
	})
}

// preferencesErase erases the reader of a preferences link at their own
// request, as an editor's erase does (subscribers.Store.Erase: the same
// webhook event, the send workers told), and says it is done. The signed
// token is the authorization, as for the unsubscribe button: a reader has
// no session, so no CSRF token, and the token is bound to this purpose.
// A second POST, a reload, finds no one and gets the erased page's 410.
func (s *Server) preferencesErase(w http.ResponseWriter, r *http.Request) {
	id, ok := s.preferencesReader(w, r)
	if !ok {
		return
	}
	err := s.Subscribers.Erase(r.Context(), id)
	if s.readerFailed(w, r, err) {
		return
	}
	s.renderPage(w, r, http.StatusOK, "erased", badLinkData{Signup: s.signupOpen(r), JustErased: true})
}
