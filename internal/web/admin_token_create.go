package web

import "net/http"

// A tokenCreatedPage shows a new token's secret, the one time it can be
// shown: only its hash is stored.
type tokenCreatedPage struct {
	adminPage
	Name, Secret string
}

// createTokenForm makes an API token with the form's name and shows its
// secret. The answer is a page, not a redirect, so the secret is in no
// URL, and renderAdmin marks it no-store.
func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) {
	name := r.PostForm.Get("name")
	secret, err := s.Admins.CreateToken(r.Context(), name)
	if err != nil {
		s.renderTokens(w, r, http.StatusOK, &tokensPage{Name: name}, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_token_created", &tokenCreatedPage{Name: name, Secret: secret})
}
