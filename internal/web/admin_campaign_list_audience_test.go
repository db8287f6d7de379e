package web

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The campaigns list counts its drafts' audiences together; each row
// still shows the figure the draft's own page shows, for drafts whose
// lists overlap and readers in every state: once however many of a
// draft's lists they are on, confirmed with an active subscription only,
// and never when their address or domain is suppressed.
func TestCampaignListAudienceIsTheCampaignPages(t *testing.T) {
	s, a, db, token := campaignServerWithDB(t) // ada@example.com, confirmed, on news
	ctx := context.Background()
	for _, slug := range []string{"sport", "tech"} {
		if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: slug, Name: slug, Public: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []subscribers.NewSubscriber{
		{Email: "both@example.com", Status: "confirmed", Lists: []string{"news", "sport"}},
		{Email: "tech@example.com", Status: "confirmed", Lists: []string{"sport", "tech"}},
		{Email: "left-news@example.com", Status: "confirmed", Lists: []string{"news", "tech"}},
		{Email: "pending@example.com", Status: "pending", Lists: []string{"news", "sport", "tech"}},
		{Email: "gone@example.com", Status: "unsubscribed", Lists: []string{"news", "sport", "tech"}},
		{Email: "bounced@example.com", Status: "bounced", Lists: []string{"news", "sport", "tech"}},
		{Email: "complained@example.com", Status: "confirmed", Lists: []string{"news", "sport", "tech"}},
		{Email: "someone@blocked.example", Status: "confirmed", Lists: []string{"news", "sport", "tech"}},
	} {
		left := r.Status == subscribers.StatusUnsubscribed
		if left { // a reader who left their lists: added, then unsubscribed
			r.Status = subscribers.StatusConfirmed
		}
		sub, err := s.Subscribers.Create(ctx, &r)
		if err == nil && left {
			err = s.Subscribers.Unsubscribe(ctx, sub.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	for _, q := range []string{
		`UPDATE subscriptions SET status = 'unsubscribed' WHERE list_id = (SELECT id FROM lists WHERE slug = 'news')
			AND subscriber_id = (SELECT id FROM subscribers WHERE email_key = 'left-news@example.com')`,
		`INSERT INTO suppressions (target, reason, source, created_at) VALUES ('complained@example.com', 'complaint', 'arf', ?1), ('blocked.example', 'manual', 'api', ?1)`,
	} {
		if _, err := db.Write.Exec(q, now); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	want := map[string]string{ // by the draft's lists
		"news": "2 readers", "sport": "2 readers", "tech": "2 readers",
		"news,sport": "3 readers", "sport,tech": "3 readers", "news,tech": "4 readers", "news,sport,tech": "4 readers",
	}
	pages := map[string]string{}
	for _, lists := range []string{"news", "sport", "news,sport", "sport,tech", "news,tech", "news,sport,tech", "tech", "news,sport"} {
		page, _ := createCampaign(t, a, token, `{"subject":"Draft","body":"Hi","lists":["`+strings.ReplaceAll(lists, ",", `","`)+`"]}`)
		pages[page] = lists
	}
	a.login("correct horse battery")
	_, list := a.get("/admin/campaigns")
	for page, lists := range pages {
		row := regexp.MustCompile(`<a href="` + page + `">.*?</tr>`).FindString(list)
		listed := firstGroup(`<span class="muted">to</span> ([0-9,]+ readers?)</td>`, row)
		_, body := a.get(page)
		shown := firstGroup(`Will reach <strong>([0-9,]+ readers?)</strong>`, body)
		if listed != shown || shown != want[lists] {
			t.Errorf("draft to %s: the list shows %q, its page %q; want %q", lists, listed, shown, want[lists])
		}
	}
}

// firstGroup is what the first group of pattern matches in s, if it does.
func firstGroup(pattern, s string) string {
	if m := regexp.MustCompile(pattern).FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}
