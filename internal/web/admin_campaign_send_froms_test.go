package web

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// fromsOf is the send page's note on its Froms, "" when it has none.
func fromsOf(body string) string {
	i := strings.Index(body, `<div id="froms"`)
	if i < 0 {
		return ""
	}
	return body[i : i+strings.Index(body[i:], "</div>")]
}

// A campaign to lists that do not share a From goes out under each list's
// own (a reader on several getting the first's): its send page names each
// From and its list, where nothing said so. A campaign whose lists share
// one says nothing of it.
func TestSendPageNamesEachFromOfItsLists(t *testing.T) {
	s, a, _, token := campaignServerWithDB(t)
	a.login("correct horse battery")
	ctx := context.Background()
	for _, l := range []subscribers.List{
		{Slug: "tech", Name: "Tech", From: "Tech Desk <tech@example.com>"},
		{Slug: "sport", Name: "Sport"},
	} {
		if err := s.Subscribers.CreateList(ctx, &l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: l.Slug + "@example.com", Status: "confirmed", Lists: []string{l.Slug}}); err != nil {
			t.Fatal(err)
		}
	}
	both, _ := createCampaign(t, a, token, `{"subject":"Both","body":"Hi","lists":["tech","news"]}`)
	_, body := a.get(both + "/send")
	note := fromsOf(body)
	for _, want := range []string{
		"It goes out under more than one From, as its two lists do not share one:",
		`<li>readers of <strong title="news">News</strong> get it from <strong style="overflow-wrap:anywhere">&#34;Gazette&#34; &lt;news@example.com&gt;</strong> <span class="muted">(the publication’s From)</span></li>`,
		`<li>readers of <strong title="tech">Tech</strong> get it from <strong style="overflow-wrap:anywhere">Tech Desk &lt;tech@example.com&gt;</strong> <span class="muted">(the list’s own From)</span></li>`,
		"A reader on more than one of these lists gets it once, from the first of them above that they are on.",
	} {
		if !strings.Contains(note, want) {
			t.Errorf("the send page's note on its Froms lacks %s:\n%s", want, note)
		}
	}
	if strings.Index(note, `title="tech"`) > strings.Index(note, `title="news"`) {
		t.Errorf("the note does not name the lists in the order the fan-out takes them, the campaign's, tech first:\n%s", note)
	}
	for _, c := range []string{
		`{"subject":"One","body":"Hi","lists":["tech"]}`,
		`{"subject":"Shared","body":"Hi","lists":["news","sport"]}`,
	} {
		page, _ := createCampaign(t, a, token, c)
		if _, body := a.get(page + "/send"); fromsOf(body) != "" || !strings.Contains(body, "Send this campaign now?") {
			t.Errorf("the send page of %s has a note on its Froms, or is no send page:\n%s", c, fromsOf(body))
		}
	}
}
