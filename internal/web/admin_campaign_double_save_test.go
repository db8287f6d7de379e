package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// A double-clicked "Save campaign" sends the same form twice, at once or
// one after the other: the second leads to the draft the first made and
// stores nothing. A list, reader or article sent twice is refused by its
// slug, address or URL; a campaign has none, and two drafts alike might
// both be sent. A form changed, or sent again once its draft is deleted,
// makes a new one.
func TestAdminCampaignSavedTwiceMakesOneDraft(t *testing.T) {
	s, a, _, _ := campaignServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/campaigns/new")
	form := url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Double click"}, "body": {"hello"}, "lists": {"news"}}
	count := func() int {
		t.Helper()
		items, err := s.Campaigns.Recent(context.Background(), "", 200)
		if err != nil {
			t.Fatal(err)
		}
		return len(items)
	}
	saved := func(resp *http.Response) string {
		t.Helper()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/campaigns/") {
			t.Fatalf("save = %d to %q, want 303 to a campaign", resp.StatusCode, loc)
		}
		return strings.SplitN(loc, "?", 2)[0]
	}

	first := saved(a.post("/admin/campaigns", form))
	if again := saved(a.post("/admin/campaigns", form)); again != first {
		t.Errorf("the same form sent again led to %s, want the first draft %s", again, first)
	}
	if n := count(); n != 1 {
		t.Errorf("%d campaigns stored after one form sent twice, want 1", n)
	}

	// Both at once, as a double-click sends them.
	form.Set("subject", "Double click at once")
	var wg sync.WaitGroup
	locs := make([]string, 2)
	for i := range locs {
		wg.Go(func() { locs[i] = saved(a.post("/admin/campaigns", form)) })
	}
	wg.Wait()
	if locs[0] != locs[1] {
		t.Errorf("one form sent twice at once led to %s and %s, want one draft", locs[0], locs[1])
	}
	if n := count(); n != 2 {
		t.Errorf("%d campaigns stored, want 2", n)
	}

	// Changed, it is another campaign.
	form.Set("body", "hello again")
	if other := saved(a.post("/admin/campaigns", form)); other == locs[0] {
		t.Errorf("a changed form led to the earlier draft %s", other)
	}
	// Its draft deleted, the same form makes a new one.
	if resp := a.post(first+"/delete", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", resp.StatusCode)
	}
	form.Set("subject", "Double click")
	form.Set("body", "hello")
	if again := saved(a.post("/admin/campaigns", form)); again == first {
		t.Errorf("the form of a deleted draft led to it: %s", again)
	}
	if n := count(); n != 3 { // two, one changed, the first deleted and made again
		t.Errorf("%d campaigns stored, want 3", n)
	}
}
