package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A hookReceiver is a webhook endpoint on loopback that checks every
// request the way a Standard Webhooks library would, independently of
// internal/hooks (HMAC-SHA256 keyed by the base64 of the secret, over
// id.timestamp.body; any of the space-separated v1 signatures; timestamp
// within 5 minutes), and counts what arrives by webhook-id: a receiver
// dedups on it. answer chooses the status of each verified request from
// its id, body and how many posts that id has had, this one included (200
// when nil); it runs with the lock held.
type hookReceiver struct {
	*httptest.Server

	mu      sync.Mutex
	key     []byte
	posts   int                    // every request
	bad     []string               // requests that failed the check, why
	seen    map[string]*hookRecord // by webhook-id
	order   []string               // webhook-ids in order of first arrival
	first   time.Time              // first distinct event
	last    time.Time              // latest distinct event
	answer  func(id string, body []byte, n int) int
	changed chan struct{}
	// slow is how long each request waits before it is answered.
	slow atomic.Int64
	// conns counts the connections opened to it.
	conns atomic.Int64
}

// A hookRecord is what arrived under one webhook-id.
type hookRecord struct {
	posts int
	body  []byte // the first; every retry must carry the same
}

func newHookReceiver(t testing.TB) *hookReceiver {
	r := &hookReceiver{seen: map[string]*hookRecord{}, changed: make(chan struct{}, 1)}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			r.conns.Add(1)
		}
	}
	r.Start()
	t.Cleanup(r.Close)
	return r
}

// setSecret sets the endpoint's secret ("whsec_" and base64).
func (r *hookReceiver) setSecret(t testing.TB, secret string) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q is not whsec_ and base64: %v", secret, err)
	}
	r.mu.Lock()
	r.key = key
	r.mu.Unlock()
}

func (r *hookReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	now := time.Now()
	time.Sleep(time.Duration(r.slow.Load()))
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts++
	if err != nil {
		r.bad = append(r.bad, "read body: "+err.Error())
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if why := r.check(req, id, body, now); why != "" {
		r.bad = append(r.bad, why)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rec := r.seen[id]
	if rec == nil {
		rec = &hookRecord{body: body}
		r.seen[id] = rec
		r.order = append(r.order, id)
		if r.first.IsZero() {
			r.first = now
		}
		r.last = now
	} else if string(rec.body) != string(body) {
		r.bad = append(r.bad, id+": a retry with another body")
	}
	rec.posts++
	status := http.StatusOK
	if r.answer != nil {
		status = r.answer(id, body, rec.posts)
	}
	select {
	case r.changed <- struct{}{}:
	default:
	}
	w.WriteHeader(status)
}

// check returns why a request fails Standard Webhooks verification, or "".
func (r *hookReceiver) check(req *http.Request, id string, body []byte, now time.Time) string {
	ts := req.Header.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return "missing webhook-id or webhook-timestamp"
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return id + ": webhook-timestamp " + ts
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return id + ": webhook-timestamp off by " + d.String()
	}
	if r.key == nil {
		return id + ": no secret yet"
	}
	mac := hmac.New(sha256.New, r.key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(req.Header.Get("webhook-signature")) {
		v, sig, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return ""
		}
	}
	return id + ": no valid v1 signature in " + strconv.Quote(req.Header.Get("webhook-signature"))
}

// distinct returns how many webhook-ids have arrived.
func (r *hookReceiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// waitFor waits until cond, called with the lock held, holds, or fails t
// after within.
func (r *hookReceiver) waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("after %s still not %s: %d distinct ids, %d posts, %d bad", within, what, len(r.seen), r.posts, len(r.bad))
		}
		select {
		case <-r.changed:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// counts returns the distinct ids, the posts, and the posts beyond the
// first of each id (the duplicates).
func (r *hookReceiver) counts() (distinct, posts, dups int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.seen {
		dups += rec.posts - 1
	}
	return len(r.seen), r.posts, dups
}

// badRequests fails t with the requests that failed verification.
func (r *hookReceiver) badRequests(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bad) > 0 {
		t.Errorf("%d requests failed verification, first: %s", len(r.bad), r.bad[0])
	}
}
