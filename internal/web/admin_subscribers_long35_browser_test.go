package web

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The subscribers page keeps to the screen with a long list name in its
// filter and a reader's long name and address in its table, at a phone's
// width and a laptop's, light and dark: the filter's select widened the
// page on a phone, and the table's cells, which had no labels for the
// layout's wrapping rules, widened it on a laptop.
func TestSubscribersPageLongNames35InTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	s, a, _, _ := pages31Server(t)
	name := strings.Repeat("Antidisestablishmentarianism", 3)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "long", Name: name, Public: true}); err != nil {
		t.Fatal(err)
	}
	email := strings.Repeat("x", 60) + "@" + strings.Repeat("verylongsubdomain", 3) + ".example" // DNS takes 63 octets a label at most
	if _, err := s.Subscribers.Create(context.Background(), &subscribers.NewSubscriber{Email: email,
		Name: strings.Repeat("Wolfeschlegelsteinhausen", 4), Status: "confirmed", Lists: []string{"long"}}); err != nil {
		t.Fatal(err)
	}
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, v := range views33 {
		open33(t, ctx, v, a.base+"/admin/subscribers")
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("/admin/subscribers at %s: %s", v, o)
		}
		if !eval33[bool](t, ctx, `document.body.innerText.includes("Wolfeschlegelsteinhausen")`) {
			t.Errorf("/admin/subscribers at %s does not show the reader", v)
		}
	}
}
