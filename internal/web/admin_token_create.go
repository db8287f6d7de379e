package web

import (
	"net/http"
	"net/url"
	"strings"
)

// A tokenCreatedPage shows a new token's secret, the one time it can be
// shown: only its hash is stored.
type tokenCreatedPage struct {
	adminPage
	Name, Secret string
}

// createTokenForm makes an API token with the form's name and answers 303
// to the page that shows its secret once (tokensPage with ?created=):
// answered with the page itself, a refresh posted the form again and made
// a second token. The secret waits in memory for that one view, under a
// random handle of this session (see shownOnce); the URL carries the
// handle, never the secret.
func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) {
	name := r.PostForm.Get("name")
	secret, err := s.Admins.CreateToken(r.Context(), name)
	if err != nil {
		s.renderTokens(w, r, http.StatusOK, &tokensPage{Name: name}, err)
		return
	}
	handle := newTokens.put(sessionFrom(r.Context()).CSRF, tokenCreatedPage{Name: strings.TrimSpace(name), Secret: secret})
	http.Redirect(w, r, "/admin/tokens?"+url.Values{"created": {handle}}.Encode(), http.StatusSeeOther)
}

// newTokens holds the pages of tokens just created until they are shown.
// A serve restarted in between loses them; the list then says to revoke
// the token and make another.
var newTokens = &shownOnce[tokenCreatedPage]{}
