package web

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// badges33 is the text of each list badge that takes more than one line,
// and what sticks out of the screen or a card.
const badges33 = `(function () {
	var broken = [];
	document.querySelectorAll("td[data-label=Lists] .badge").forEach(function (b) { if (lines(b) !== 1) broken.push(b.textContent); });
	return {count: document.querySelectorAll("td[data-label=Lists] .badge").length, broken: broken, overflow: overflow()};
})()`

// A list's badge in the campaigns table and the dashboard's recent
// campaigns is not broken across lines beside a long subject, as "Daily /
// News" was at 1280 px; on a phone nothing sticks out, a long list name
// included.
func TestListBadgesStayOnOneLine33(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	s, a, _, token := campaignServer(t)
	const long = "Weekend Culture from the Harbour Arts Centre"
	for _, l := range []*subscribers.List{{Slug: "daily-news", Name: "Daily News"}, {Slug: "weekend", Name: long}} {
		if err := s.Subscribers.CreateList(context.Background(), l); err != nil {
			t.Fatal(err)
		}
	}
	subject := strings.Repeat("Extra édition spéciale : le pont de Quay rouvre enfin après onze mois de travaux ", 2)
	createCampaign(t, a, token, `{"subject":"`+subject+`","body":"Hello","lists":["daily-news"]}`)
	createCampaign(t, a, token, `{"subject":"`+subject+`","body":"Hello","lists":["daily-news","weekend"]}`)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	type seen struct {
		Count    int      `json:"count"`
		Broken   []string `json:"broken"`
		Overflow string   `json:"overflow"`
	}
	for _, path := range []string{"/admin/campaigns", "/admin"} {
		for _, v := range views33 {
			open33(t, ctx, v, a.base+path)
			got := eval33[seen](t, ctx, badges33)
			if got.Count != 3 {
				t.Fatalf("%s at %s: %d list badges, want 3", path, v, got.Count)
			}
			for _, b := range got.Broken {
				// On a phone the cell is the card's width: only a name
				// longer than that may wrap.
				if v.width > 600 || b != long {
					t.Errorf("%s at %s: the badge %q takes more than one line", path, v, b)
				}
			}
			if got.Overflow != "" {
				t.Errorf("%s at %s: %s", path, v, got.Overflow)
			}
		}
	}
}
