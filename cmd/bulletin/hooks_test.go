package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve posts a subscriber.created webhook, signed, to a receiver on
// loopback (allowed by BULLETIN_ALLOW_PRIVATE_FEEDS), and posts it again
// with the same webhook-id after the receiver's first 503.
func TestServeDeliversWebhooks(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_ALLOW_PRIVATE_FEEDS": "1"}
	m, stdout, _ := testMain(t, env)
	if code := m.Main(context.Background(), []string{"token", "create", "ci"}); code != 0 {
		t.Fatalf("token create exited %d", code)
	}
	token := strings.TrimSpace(stdout.String())

	type hit struct {
		id, ts, sig string
		body        []byte
	}
	var mu sync.Mutex
	var hits []hit
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, hit{r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), body})
		first := len(hits) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer recv.Close()

	m, _, _ = testMain(t, env)
	base, stop := startServe(t, m)
	defer stop()
	api := jsonAPI(t, base, token)
	code, ep := api("POST", "/api/v1/webhooks", `{"url":"`+recv.URL+`/in","events":["subscriber.created"]}`)
	secret, _ := ep["secret"].(string)
	if code != 201 || secret == "" {
		t.Fatalf("create endpoint = %d %v", code, ep)
	}
	if code, out := api("POST", "/api/v1/subscribers", `{"email":"ann@example.com","status":"confirmed"}`); code != 201 {
		t.Fatalf("create subscriber = %d %v", code, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(hits)
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %d requests in 20 s, want 2 (a 503, then the retry)", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	for i, h := range hits[:2] {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(h.id + "." + h.ts + "." + string(h.body)))
		if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(h.sig), []byte(want)) {
			t.Errorf("request %d: signature %q, want %q", i, h.sig, want)
		}
		if !strings.Contains(string(h.body), `"type":"subscriber.created"`) || !strings.Contains(string(h.body), `"email":"ann@example.com"`) {
			t.Errorf("request %d body %s", i, h.body)
		}
	}
	if hits[0].id != hits[1].id || !strings.HasPrefix(hits[0].id, "msg_") {
		t.Errorf("webhook-ids %q and %q, want the same msg_ id on the retry", hits[0].id, hits[1].id)
	}
}
