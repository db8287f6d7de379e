package web

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A draft's page and its send page say the confirmed readers of its lists
// that it leaves out for a suppressed address or domain: "the confirmed
// readers of its list" beside a smaller number read as if the list had
// fewer. A campaign to lists with no one suppressed reads as before, and
// one whose every confirmed reader is suppressed says that, not that its
// lists have no confirmed reader.
func TestCampaignPagesSaySuppressedReadersLeftOut(t *testing.T) {
	s, a, db, token := pages31Server(t)
	ctx := context.Background()
	for _, addr := range []string{"bo@example.com", "cy@blocked.test"} {
		if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: addr, Status: "confirmed", Lists: []string{"news"}}); err != nil {
			t.Fatal(err)
		}
	}
	ev := events.NewStore(db)
	for _, target := range []string{"bo@example.com", "blocked.test", "sport@example.com"} {
		if err := ev.Suppress(ctx, target, events.ReasonManual, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	news, _ := createCampaign(t, a, token, `{"subject":"News","body":"Hi","lists":["news"]}`)
	both, _ := createCampaign(t, a, token, `{"subject":"Both","body":"Hi","lists":["news","tech"]}`)
	tech, _ := createCampaign(t, a, token, `{"subject":"Tech","body":"Hi","lists":["tech"]}`)
	sport, _ := createCampaign(t, a, token, `{"subject":"Sport","body":"Hi","lists":["sport"]}`)

	for page, want := range map[string]string{
		news:  `Will reach <strong>1 reader</strong> <span class="muted">(the 3 confirmed readers of its list, less <a href="/admin/suppressions">2 suppressed</a>)</span>`,
		both:  `Will reach <strong>2 readers</strong> <span class="muted">(the 4 confirmed readers of its lists, each once, less <a href="/admin/suppressions">2 suppressed</a>)</span>`,
		tech:  `Will reach <strong>1 reader</strong> <span class="muted">(the confirmed readers of its list)</span>`,
		sport: `<strong>Reaches no one:</strong> every confirmed reader of its list is suppressed (1 reader, see Suppressions).`,
	} {
		if _, body := a.get(page); !strings.Contains(body, want) {
			t.Errorf("%s does not say %q:\n%s", page, want, progressCard(body))
		}
	}
	for page, want := range map[string]string{
		news + "/send": `every confirmed reader of <strong title="news">News</strong>, except <a href="/admin/suppressions">2 suppressed</a>. Once`,
		tech + "/send": `every confirmed reader of <strong title="tech">Tech</strong>. Once`,
	} {
		if _, body := a.get(page); !strings.Contains(body, want) {
			t.Errorf("%s does not say %q:\n%s", page, want, body)
		}
	}
	if _, body := a.get(sport + "/send"); !strings.Contains(body, `<p class="error" role="alert">This campaign would reach nobody: every confirmed reader of its list is suppressed (1 reader, see Suppressions).`) {
		t.Errorf("the send page of a campaign whose readers are all suppressed does not say so:\n%s", body)
	}
}
