package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// addOrderLists adds daily-news, then weekend-culture, after campaignServer's
// news: each a later id than the one before.
func addOrderLists(t *testing.T, s *Server) {
	t.Helper()
	for _, l := range []*subscribers.List{{Slug: "daily-news", Name: "Daily News"}, {Slug: "weekend-culture", Name: "Weekend Culture"}} {
		if err := s.Subscribers.CreateList(context.Background(), l); err != nil {
			t.Fatal(err)
		}
	}
}

// campaignListsOf is the "lists" member of an API answer.
func campaignListsOf(c map[string]any) []string {
	var out []string
	l, _ := c["lists"].([]any)
	for _, v := range l {
		out = append(out, fmt_(v))
	}
	return out
}

// The API keeps a campaign's lists in the order given: its answer, a
// read, the list of campaigns, an edit and a duplicate name them so (the
// first is the list whose mail a reader on several gets). They came back
// in the order of the lists' ids: ["daily-news", "weekend-culture"].
func TestCampaignAPIKeepsTheOrderOfItsLists(t *testing.T) {
	s, a, _, token := campaignServer(t)
	addOrderLists(t, s)
	code, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"Saturday","body":"Hello","lists":["weekend-culture","Daily-News","WEEKEND-CULTURE"]}`)
	want := []string{"weekend-culture", "daily-news"}
	if code != http.StatusCreated || !cmp.Equal(campaignListsOf(c), want) {
		t.Fatalf("create = %d %v, want lists %q", code, c, want)
	}
	path := "/api/v1/campaigns/" + strconv.Itoa(int(c["id"].(float64)))
	if code, got := apiCall(t, a.base, token, "GET", path, ""); code != 200 || !cmp.Equal(campaignListsOf(got), want) {
		t.Errorf("GET = %d lists %q, want %q", code, campaignListsOf(got), want)
	}
	if code, got := apiCall(t, a.base, token, "GET", "/api/v1/campaigns", ""); code != 200 {
		t.Errorf("GET the list = %d %v", code, got)
	} else if items, _ := got["items"].([]any); len(items) != 1 || !cmp.Equal(campaignListsOf(items[0].(map[string]any)), want) {
		t.Errorf("the list of campaigns = %v, want one with lists %q", items, want)
	}
	want = []string{"weekend-culture", "news", "daily-news"}
	if code, got := apiCall(t, a.base, token, "PATCH", path, `{"lists":["weekend-culture","news","daily-news"]}`); code != 200 || !cmp.Equal(campaignListsOf(got), want) {
		t.Errorf("PATCH = %d lists %q, want %q", code, campaignListsOf(got), want)
	}
	if code, got := apiCall(t, a.base, token, "POST", path+"/duplicate", ""); code != 201 || !cmp.Equal(campaignListsOf(got), want) {
		t.Errorf("duplicate = %d lists %q, want %q", code, campaignListsOf(got), want)
	}
}

// checkboxes reads the campaign form's list boxes, in the order shown,
// a ticked one with a "+".
var checkbox = regexp.MustCompile(`name="lists" value="([^"]+)"( checked)?`)

func checkboxes(body string) []string {
	var out []string
	for _, m := range checkbox.FindAllStringSubmatch(body, -1) {
		if m[2] != "" {
			m[1] = "+" + m[1]
		}
		out = append(out, m[1])
	}
	return out
}

// The admin's campaign form shows the lists ticked first, in the
// campaign's order, then the others, and a browser posts the boxes ticked
// in the order shown: saved as it is, the campaign keeps its order; a list
// ticked later goes after them. The form says that the first list ticked
// is the one whose mail a reader on several gets. It showed every list in
// the Lists page's order, so that a campaign given ["weekend-culture",
// "daily-news"] by the API became ["daily-news", "weekend-culture"] once
// saved in the form.
func TestAdminCampaignFormKeepsTheOrderOfItsLists(t *testing.T) {
	s, a, _, token := campaignServer(t)
	addOrderLists(t, s)
	_, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"Saturday","body":"Hello","lists":["weekend-culture","daily-news"]}`)
	id := strconv.Itoa(int(c["id"].(float64)))
	a.login("correct horse battery")
	_, body := a.get("/admin/campaigns/" + id + "/edit")
	if got, want := checkboxes(body), []string{"+weekend-culture", "+daily-news", "news"}; !cmp.Equal(got, want) {
		t.Errorf("the edit form's boxes = %q, want %q", got, want)
	}
	if !strings.Contains(body, "A reader on more than one of the lists ticked gets the mail of the first of them here") {
		t.Errorf("the form does not say which list's mail a reader on several gets:\n%s", body)
	}
	// Saved as a browser posts it, with news ticked too.
	csrf := a.csrfOf("/admin/campaigns/new")
	form := url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Saturday"}, "body": {"Hello"}, "lists": {"weekend-culture", "daily-news", "news"}}
	if resp, body := a.postBody("/admin/campaigns/"+id+"/edit", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d:\n%s", resp.StatusCode, body)
	}
	want := []string{"weekend-culture", "daily-news", "news"}
	if _, got := apiCall(t, a.base, token, "GET", "/api/v1/campaigns/"+id, ""); !cmp.Equal(campaignListsOf(got), want) {
		t.Errorf("lists once saved in the form = %q, want %q", campaignListsOf(got), want)
	}
	_, body = a.get("/admin/campaigns/" + id + "/edit")
	if got, want := checkboxes(body), []string{"+weekend-culture", "+daily-news", "+news"}; !cmp.Equal(got, want) {
		t.Errorf("the edit form's boxes once saved = %q, want %q", got, want)
	}
	// A preview shows the boxes in the order posted.
	form.Set("action", "preview")
	form["lists"] = []string{"news", "weekend-culture"}
	if resp, body := a.postBody("/admin/campaigns", form); resp.StatusCode != http.StatusOK {
		t.Errorf("preview = %d", resp.StatusCode)
	} else if got, want := checkboxes(body), []string{"+news", "+weekend-culture", "daily-news"}; !cmp.Equal(got, want) {
		t.Errorf("the previewed form's boxes = %q, want %q", got, want)
	}
}
