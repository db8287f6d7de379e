package web

import (
	"context"
	"crypto/sha256"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// repeatWindow is how long a new campaign form, once saved, is known
// again: a double-click sends it twice within a second, Back and Save
// within minutes.
const repeatWindow = 10 * time.Minute

// A formRepeats knows the new campaign forms saved lately, by the session
// that sent them and what they held, so that the same form sent again (a
// double-clicked Save, Back and Save) leads to the draft the first made
// instead of storing a second one. A list, a reader or an article sent
// twice is refused by what it is (its slug, address or URL); a campaign
// has nothing of the kind, and two drafts alike may both be sent. It
// lives in this process's memory, as shownOnce does: a repeat comes
// seconds after the first. The zero value is ready to use.
type formRepeats struct {
	mu    sync.Mutex
	byKey map[[sha256.Size]byte]*savedForm
}

// A savedForm is one form sent: done is closed when the first to send it
// has finished, with id the campaign it made, 0 when it made none (the
// form was refused, or the save failed).
type savedForm struct {
	done    chan struct{}
	id      int64
	expires time.Time
}

// newCampaignRepeats are the new campaign forms saved lately.
var newCampaignRepeats = &formRepeats{}

// formKey is the hash of the session's CSRF token and every field of
// form in order, the token's own field left out.
func formKey(csrf string, form url.Values) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(csrf))
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if k == "csrf" {
			continue
		}
		for _, v := range form[k] {
			h.Write([]byte{0})
			h.Write([]byte(k))
			h.Write([]byte{1})
			h.Write([]byte(v))
		}
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// claim returns the campaign a form with key made already, after waiting
// for a save of it still under way, or 0 and a function the caller must
// call with the id of the campaign it makes (0 for none) when done.
func (f *formRepeats) claim(ctx context.Context, key [sha256.Size]byte) (int64, func(int64)) {
	for {
		f.mu.Lock()
		if f.byKey == nil {
			f.byKey = map[[sha256.Size]byte]*savedForm{}
		}
		now := time.Now()
		for k, s := range f.byKey {
			if s.id != 0 && now.After(s.expires) {
				delete(f.byKey, k)
			}
		}
		s, ok := f.byKey[key]
		if !ok {
			s = &savedForm{done: make(chan struct{})}
			f.byKey[key] = s
			f.mu.Unlock()
			return 0, func(id int64) { f.finish(key, s, id) }
		}
		f.mu.Unlock()
		select {
		case <-s.done:
		case <-ctx.Done():
			return 0, func(int64) {}
		}
		if s.id != 0 {
			return s.id, nil
		}
		// The first made nothing (it was refused): this one tries for
		// itself, the first's entry gone.
	}
}

// finish records what the first sender of a form made, or forgets the
// form when it made nothing, and wakes those waiting on it.
func (f *formRepeats) finish(key [sha256.Size]byte, s *savedForm, id int64) {
	f.mu.Lock()
	s.id, s.expires = id, time.Now().Add(repeatWindow)
	if id == 0 {
		delete(f.byKey, key)
	}
	f.mu.Unlock()
	close(s.done)
}

// repeatedCampaign returns the campaign made by the new campaign form r
// holds, when the same session sent it already and the campaign is still
// there, or 0 and the function to call with the campaign this request
// makes (0 for none) when done.
func (s *Server) repeatedCampaign(r *http.Request) (int64, func(int64), error) {
	key := formKey(sessionFrom(r.Context()).CSRF, r.PostForm)
	for {
		id, finish := newCampaignRepeats.claim(r.Context(), key)
		if finish != nil {
			return 0, finish, nil
		}
		_, err := s.Campaigns.Get(r.Context(), id)
		switch bulletin.ErrorCode(err) {
		case "":
			return id, nil, nil
		case bulletin.ENOTFOUND:
			newCampaignRepeats.forget(key, id) // deleted since: make another
		default:
			return 0, nil, err
		}
	}
}

// forget drops the form with key whose campaign is gone (deleted since),
// so that sending it again makes a new one.
func (f *formRepeats) forget(key [sha256.Size]byte, id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.byKey[key]; ok && s.id == id {
		delete(f.byKey, key)
	}
}
