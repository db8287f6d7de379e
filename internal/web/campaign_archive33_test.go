package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A campaign's page links to its copy in the public archive once the
// archive shows it (sent to a public list), as a digest's page did, and
// not before; a digest's page says why its issue is not there rather than
// linking to a page that is a 404.
func TestCampaignPageLinksToItsArchiveIssue(t *testing.T) {
	s, a, _, db := fullServerDB(t)
	ctx := context.Background()
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "desk", Name: "Desk", Digest: "daily"}); err != nil {
		t.Fatal(err)
	}
	if resp := a.login("correct horse battery"); resp.StatusCode != 303 {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	issue := func(kind, list, status string) int64 {
		t.Helper()
		var started any
		if status != "draft" {
			started = time.Now().UTC()
		}
		res, err := db.Write.Exec(`INSERT INTO campaigns (kind, subject, body, status, started_at, created_at, updated_at) VALUES (?, 'Issue', 'Hello', ?, ?, ?, ?)`,
			kind, status, started, time.Now().UTC(), time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := db.Write.Exec(`INSERT INTO campaign_lists (campaign_id, list_id) SELECT ?, id FROM lists WHERE slug = ?`, id, list); err != nil {
			t.Fatal(err)
		}
		return id
	}
	for _, tc := range []struct {
		kind, list, status string
		linked             bool
		says               string
	}{
		{"campaign", "news", "sent", true, ""},
		{"campaign", "news", "draft", false, ""},
		{"campaign", "desk", "sent", false, ""},
		{"digest", "news", "sent", true, "The public archive shows it as readers saw it."},
		{"digest", "news", "sending", false, "The public archive shows it once it is sent, if its list is public."},
		{"digest", "desk", "sent", false, "Its list is not public, so the public archive does not show it."},
	} {
		id := issue(tc.kind, tc.list, tc.status)
		_, body := a.get(fmt.Sprintf("/admin/campaigns/%d", id))
		link := fmt.Sprintf(`href="/archive/%d"`, id)
		if got := strings.Contains(body, link); got != tc.linked {
			t.Errorf("a %s %s to %s: links to its archive issue = %v, want %v", tc.status, tc.kind, tc.list, got, tc.linked)
		}
		if tc.says != "" && !strings.Contains(tags33.ReplaceAllString(body, ""), tc.says) {
			t.Errorf("a %s %s to %s does not say %q", tc.status, tc.kind, tc.list, tc.says)
		}
		if tc.linked {
			if resp, _ := a.get(fmt.Sprintf("/archive/%d", id)); resp.StatusCode != 200 {
				t.Errorf("the linked /archive/%d = %d, want 200", id, resp.StatusCode)
			}
		}
	}
}

// tags33 matches an HTML tag, to read a page's words.
var tags33 = regexp.MustCompile(`<[^>]*>`)
