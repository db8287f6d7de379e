package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// ?q= matches a name ignoring case beyond ASCII (SPEC §3): "Élodie
// Durand" is found by her name as stored, by it in lower case and by an
// ASCII part of it.
func TestSubscriberSearchIgnoresCaseBeyondASCII(t *testing.T) {
	s, a, token := fullServer(t)
	if _, err := s.Subscribers.Create(context.Background(), &subscribers.NewSubscriber{
		Email: "elodie@example.com", Name: "Élodie Durand", Status: "confirmed", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"%C3%89lodie", "%C3%A9lodie", "%C3%A9LODIE+d", "durand"} {
		code, got := apiCall(t, a.base, token, "GET", "/api/v1/subscribers?q="+q, "")
		items, _ := got["items"].([]any)
		if code != http.StatusOK || len(items) != 1 {
			t.Errorf("GET /api/v1/subscribers?q=%s = %d with %d items; want 200 with Élodie Durand", q, code, len(items))
		}
	}
}
