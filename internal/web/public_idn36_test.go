package web

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A reader who signed up as yamada@例え.jp is named so on their
// preferences and unsubscribe pages, not by the IDNA form stored.
func TestReaderPagesNameAnIDNAddressAsTyped(t *testing.T) {
	e := newSubEnv(t, 0)
	sub, err := e.store.Create(t.Context(), &subscribers.NewSubscriber{Email: "yamada@xn--r8jz45g.jp", Lists: []string{"daily-news"}, Status: subscribers.StatusConfirmed})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0),
		"/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, sub.ID, 0),
	} {
		w := e.do("GET", path, "", "")
		if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "yamada@例え.jp") || strings.Contains(body, "xn--") {
			t.Errorf("GET %s = %d, want the address as typed:\n%s", strings.Split(path, "/")[1], w.Code, body)
		}
	}
}
