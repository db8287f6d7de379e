package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// shownOnceTTL is how long a page that shows a secret waits for its one
// view: the browser follows the redirect at once, so a secret never
// fetched (a closed tab) does not stay in memory long.
const shownOnceTTL = 10 * time.Minute

// A shownOnce holds pages that show a secret (a new token, a webhook's
// signing secret, an invite link) between the form that made the secret,
// which answers with a redirect so that a refresh cannot post it again,
// and the one view of the page it redirects to. It lives in this
// process's memory only: not in the database, which keeps hashes, nor in
// a cookie or URL. The zero value is ready to use.
type shownOnce[T any] struct {
	mu     sync.Mutex
	byHash map[[sha256.Size]byte]pendingPage[T]
}

// A pendingPage is a page with a secret, waiting for its one view by the
// session whose CSRF token is owner.
type pendingPage[T any] struct {
	owner   string
	page    T
	expires time.Time
}

// put keeps page for one view by the session with csrf and returns the
// handle that view is asked with. The map is keyed by the handle's hash,
// so a lookup's timing tells nothing of the handles it holds.
func (o *shownOnce[T]) put(csrf string, page T) string {
	b := make([]byte, 18)
	rand.Read(b)
	handle := base64.RawURLEncoding.EncodeToString(b)
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byHash == nil {
		o.byHash = map[[sha256.Size]byte]pendingPage[T]{}
	}
	for k, p := range o.byHash {
		if now.After(p.expires) {
			delete(o.byHash, k)
		}
	}
	o.byHash[sha256.Sum256([]byte(handle))] = pendingPage[T]{owner: csrf, page: page, expires: now.Add(shownOnceTTL)}
	return handle
}

// take returns, and forgets, the page kept under handle for the session
// with csrf. Another session's handle finds nothing and leaves the page
// for its owner.
func (o *shownOnce[T]) take(csrf, handle string) (page T, ok bool) {
	key := sha256.Sum256([]byte(handle))
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.byHash[key]
	if !ok || subtle.ConstantTimeCompare([]byte(p.owner), []byte(csrf)) != 1 {
		return page, false
	}
	delete(o.byHash, key)
	if time.Now().After(p.expires) {
		return page, false
	}
	return p.page, true
}
