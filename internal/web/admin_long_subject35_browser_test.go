package web

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A subject of one long word, as an API client may send, wraps on every
// page that shows it rather than widen the page or scroll a card
// sideways, at a phone's width and a laptop's, light and dark: the
// campaign's page, its send confirmation, its edit form, the campaigns
// list and the dashboard. So does a long list's name on the lists page and
// among the form's lists. The title ran off the screen (the page was
// 2,406 px wide at 1280 px) and the list cut the subject off on a phone.
func TestLongSubject35InTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	s, a, _, token := pages31Server(t)
	subject := strings.Repeat("Supercalifragilistic", 9) // 180 characters, no space
	draft, _ := createCampaign(t, a, token, `{"subject":"`+subject+`","body":"Hello","lists":["news"]}`)
	later, _ := createCampaign(t, a, token, `{"subject":"`+subject+`","body":"Hello","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	long := &subscribers.List{Slug: "long", Name: strings.Repeat("Antidisestablishmentarianism", 3), Public: true}
	if err := s.Subscribers.CreateList(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, page := range []string{draft, draft + "/send", later, later + "/edit", "/admin/campaigns", "/admin", "/admin/lists"} {
		for _, v := range views33 {
			open33(t, ctx, v, a.base+page)
			if o := eval33[string](t, ctx, `overflow()`); o != "" {
				t.Errorf("%s at %s: %s", page, v, o)
			}
		}
	}
}
