package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/subscribers"
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

// eraseForm is the page of the mailed erase link
// (subscribers.TokenDataErase, asked for on the preferences page): it
// says what erasing the reader's data does, with one button that POSTs
// to erase. A GET changes nothing: mail scanners fetch every link. The
// link's holder has shown they hold the mailbox, so the page offers a
// download link that works as long as this one, and the preferences page.
func (s *Server) eraseForm(w http.ResponseWriter, r *http.Request) {
	id, until, ok := s.dataLinkReader(w, r, subscribers.TokenDataErase)
	if !ok {
		return
	}
	sub, err := s.Subscribers.Get(r.Context(), id)
	if s.readerFailed(w, r, err) {
		return
	}
	s.renderPage(w, r, http.StatusOK, "preferences_erase", preferencesEraseData{
		Title: "Delete your data", Email: sub.Email, Signup: s.signupOpen(r),
		PreferencesURL: s.preferencesURL(id),
		DataURL:        "/data/" + s.Signer.SignUntil(subscribers.TokenDataDownload, id, until),
	})
}

// erase erases the reader of a mailed erase link at their own request,
// as an editor's erase does (subscribers.Store.Erase: the same webhook
// event, the send workers told), and says it is done. The signed token is
// the authorization, as for the unsubscribe button: a reader has no
// session, so no CSRF token, and the token is bound to this purpose and
// its hour. A second POST, a reload, finds no one and gets the erased
// page's 410.
func (s *Server) erase(w http.ResponseWriter, r *http.Request) {
	id, _, ok := s.dataLinkReader(w, r, subscribers.TokenDataErase)
	if !ok {
		return
	}
	err := s.Subscribers.Erase(r.Context(), id)
	if s.readerFailed(w, r, err) {
		return
	}
	s.renderPage(w, r, http.StatusOK, "erased", badLinkData{Signup: s.signupOpen(r), JustErased: true})
}
