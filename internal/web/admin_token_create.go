package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
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
// random handle of this session; the URL carries the handle, never the
// secret.
func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) {
	name := r.PostForm.Get("name")
	secret, err := s.Admins.CreateToken(r.Context(), name)
	if err != nil {
		s.renderTokens(w, r, http.StatusOK, &tokensPage{Name: name}, err)
		return
	}
	handle := newTokens.put(sessionFrom(r.Context()).CSRF, strings.TrimSpace(name), secret)
	http.Redirect(w, r, "/admin/tokens?"+url.Values{"created": {handle}}.Encode(), http.StatusSeeOther)
}

// shownOnceTTL is how long a new token's secret waits for its page: the
// browser follows the redirect at once, so a secret never fetched (a
// closed tab) does not stay in memory long.
const shownOnceTTL = 10 * time.Minute

// newTokens holds the secrets of tokens just created until their page is
// shown. It lives in this process's memory only: not in the database,
// which keeps hashes, nor in a cookie or URL. A serve restarted in between
// loses it; the page then says to revoke the token and make another.
var newTokens = &shownOnce{byHash: map[[sha256.Size]byte]pendingToken{}}

type shownOnce struct {
	mu     sync.Mutex
	byHash map[[sha256.Size]byte]pendingToken
}

// A pendingToken is a new token's secret, waiting for its one view by the
// session whose CSRF token is owner.
type pendingToken struct {
	owner, name, secret string
	expires             time.Time
}

// put keeps secret for one view by the session with csrf and returns the
// handle that view is asked with. The map is keyed by the handle's hash,
// so a lookup's timing tells nothing of the handles it holds.
func (o *shownOnce) put(csrf, name, secret string) string {
	b := make([]byte, 18)
	rand.Read(b)
	handle := base64.RawURLEncoding.EncodeToString(b)
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	for k, p := range o.byHash {
		if now.After(p.expires) {
			delete(o.byHash, k)
		}
	}
	o.byHash[sha256.Sum256([]byte(handle))] = pendingToken{owner: csrf, name: name, secret: secret, expires: now.Add(shownOnceTTL)}
	return handle
}

// take returns, and forgets, the secret kept under handle for the session
// with csrf. Another session's handle finds nothing and leaves the secret
// for its owner.
func (o *shownOnce) take(csrf, handle string) (p pendingToken, ok bool) {
	key := sha256.Sum256([]byte(handle))
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok = o.byHash[key]
	if !ok || subtle.ConstantTimeCompare([]byte(p.owner), []byte(csrf)) != 1 {
		return pendingToken{}, false
	}
	delete(o.byHash, key)
	if time.Now().After(p.expires) {
		return pendingToken{}, false
	}
	return p, true
}
