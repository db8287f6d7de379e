package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// nameInput is a field a reader types their name in.
var nameInput = regexp.MustCompile(`<input[^>]*\bname="name"[^>]*>`)

// Every field a reader types their name in takes the direction of what
// is typed (dir="auto"): an Arabic or Hebrew name was edited left to
// right, its punctuation and any Latin part out of place. The signup
// form, as sent back to be fixed too, the preferences form and the
// snippet a publisher embeds all do.
func TestPublicNameFieldsTakeTheirTextsDirection(t *testing.T) {
	e := newSubEnv(t, 0)
	sub, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: "noor@example.org", Name: "نور الهدى",
		Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{
		"the signup form":          e.do("GET", "/subscribe", "", "").Body.String(),
		"the one-list signup form": e.do("GET", "/subscribe?list=daily-news", "", "").Body.String(),
		"a signup sent back": e.form("/subscribe", url.Values{"email": {"not an address"}, "name": {"שרה"},
			"list": {"daily-news"}}).Body.String(),
		"the preferences form": e.do("GET", "/preferences/"+e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0), "", "").Body.String(),
		"the embed snippet":    e.do("GET", "/subscribe/embed", "", "").Body.String(),
	}
	for what, body := range pages {
		fields := nameInput.FindAllString(body, -1)
		if len(fields) == 0 {
			t.Errorf("%s has no name field:\n%s", what, body)
		}
		for _, f := range fields {
			if !strings.Contains(f, ` dir="auto"`) {
				t.Errorf("%s: the name field %s does not take its text's direction (dir=\"auto\")", what, f)
			}
		}
	}
	if !strings.Contains(pages["the preferences form"], `value="نور الهدى"`) || !strings.Contains(pages["a signup sent back"], `value="שרה"`) {
		t.Errorf("the forms do not show the names typed")
	}
}
