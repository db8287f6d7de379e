package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A tokensPage lists the API tokens (never their secrets) with the form
// for a new one.
type tokensPage struct {
	adminPage
	Tokens []admins.Token
	Name   string // the form's value
	Errors map[string]string
	// ShownAlready says the new token's page was asked for again, after
	// its one view: the secret is gone.
	ShownAlready bool
}

// tokensPage shows the API tokens. With ?created=HANDLE, the answer to a
// new token's form, it shows that token's secret instead, once: asked
// again (a refresh, Back), the list says it was shown already.
func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) {
	if handle := r.URL.Query().Get("created"); handle != "" {
		if p, ok := newTokens.take(sessionFrom(r.Context()).CSRF, handle); ok {
			s.renderAdmin(w, r, http.StatusOK, "admin_token_created", &p)
			return
		}
		s.renderTokens(w, r, http.StatusOK, &tokensPage{ShownAlready: true}, nil)
		return
	}
	s.renderTokens(w, r, http.StatusOK, &tokensPage{}, nil)
}

// renderTokens shows p with the stored tokens and err (a bad name: 422)
// beside the name field.
func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, p *tokensPage, err error) {
	if err != nil {
		if bulletin.ErrorCode(err) != bulletin.EINVALID {
			s.adminError(w, r, err)
			return
		}
		status, p.Errors = http.StatusUnprocessableEntity, map[string]string{"name": bulletin.ErrorMessage(err)}
	}
	var lerr error
	if p.Tokens, lerr = s.Admins.ListTokens(r.Context()); lerr != nil {
		s.adminError(w, r, lerr)
		return
	}
	s.renderAdmin(w, r, status, "admin_tokens", p)
}

// tokenOf returns the token named by the path's id, answering 404 itself
// when there is none.
func (s *Server) tokenOf(w http.ResponseWriter, r *http.Request) (*admins.Token, bool) {
	list, err := s.Admins.ListTokens(r.Context())
	return byPathID(s, w, r, list, err, func(t *admins.Token) int64 { return t.ID })
}
