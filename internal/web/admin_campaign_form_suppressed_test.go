package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// reachOf is a page's line on the audience, "" when it has none.
func reachOf(body string) string {
	i := strings.Index(body, `<p id="reach">`)
	if i < 0 {
		return ""
	}
	return body[i : i+strings.Index(body[i:], "</p>")+len("</p>")]
}

// The campaign form's line on the audience says the suppressed readers
// it leaves out, in the words of the campaign's page: "Will reach 7
// readers (the confirmed readers of the lists ticked, each once)" beside
// a list of 8 confirmed readers read as if the list had 7. The edit form
// and the preview of the new and edit forms say it; lists with no one
// suppressed read as before.
func TestCampaignFormSaysSuppressedReadersLeftOut(t *testing.T) {
	s, a, db, token := pages31Server(t)
	ctx := context.Background()
	for i := range 7 { // news has ada@example.com already
		if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: fmt.Sprintf("reader%d@example.com", i), Status: "confirmed", Lists: []string{"news"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := events.NewStore(db).Suppress(ctx, "reader3@example.com", events.ReasonManual, "admin"); err != nil {
		t.Fatal(err)
	}
	page, _ := createCampaign(t, a, token, `{"subject":"News","body":"Hi","lists":["news"]}`)
	const news = `<p id="reach">Will reach <strong>7 readers</strong> <span class="muted">(the 8 confirmed readers of the list ticked, less <a href="/admin/suppressions">1 suppressed</a>)</span></p>`
	if _, body := a.get(page); !strings.Contains(body, `(the 8 confirmed readers of its list, less <a href="/admin/suppressions">1 suppressed</a>)`) {
		t.Fatalf("the campaign's page does not say its suppressed reader:\n%s", progressCard(body))
	}
	if _, body := a.get(page + "/edit"); reachOf(body) != news {
		t.Errorf("the edit form says\n%s\nwant\n%s", reachOf(body), news)
	}
	csrf := a.csrfOf("/admin/campaigns/new")
	for lists, want := range map[string]string{
		"news":      news,
		"news tech": `<p id="reach">Will reach <strong>8 readers</strong> <span class="muted">(the 9 confirmed readers of the lists ticked, each once, less <a href="/admin/suppressions">1 suppressed</a>)</span></p>`,
		"tech":      `<p id="reach">Will reach <strong>1 reader</strong> <span class="muted">(the confirmed readers of the list ticked)</span></p>`,
	} {
		form := url.Values{"csrf": {csrf}, "action": {"preview"}, "subject": {"News"}, "body": {"Hi"}, "lists": strings.Fields(lists)}
		for _, to := range []string{"/admin/campaigns", page + "/edit"} {
			if _, body := a.postBody(to, form); reachOf(body) != want {
				t.Errorf("the preview of %s to %s says\n%s\nwant\n%s", to, lists, reachOf(body), want)
			}
		}
	}
}
