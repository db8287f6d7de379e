package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// A client address that sends the webhooks webhookRefusalsPerMin refused
// passwords in a minute is answered 429, with Retry-After, without a
// check, even with the right password: a guess at a Postmark password
// goes no faster. Other addresses, a provider's among them, go on as
// before, and a right password never counts.
func TestWebhookRefusalsAreLimitedPerAddress(t *testing.T) {
	e := newHookEnv(t)
	post := func(remote string, auth http.Header) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest("POST", "/webhooks/postmark", bytes.NewReader(e.fixture("postmark_bounce")))
		req.RemoteAddr = remote + ":4321"
		for k, v := range auth {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
	}
	const guesser, provider = "203.0.113.9", "198.51.100.7"
	for range webhookRefusalsPerMin + 5 {
		if rec := post(provider, basicAuth(hookPostmark)); rec.Code != http.StatusOK {
			t.Fatalf("the provider's right password: %d %s", rec.Code, rec.Body)
		}
	}
	for i := range webhookRefusalsPerMin {
		if rec := post(guesser, basicAuth("postmark-hook:guess"+strconv.Itoa(i))); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, rec.Code)
		}
	}
	rec := post(guesser, basicAuth(hookPostmark))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("after %d refusals the right password got %d (Retry-After %q), want 429 without a check",
			webhookRefusalsPerMin, rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := post(provider, basicAuth(hookPostmark)); rec.Code != http.StatusOK {
		t.Errorf("another address after the guesses: %d, want 200", rec.Code)
	}
}
