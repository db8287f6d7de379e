package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// A draft has nothing to cancel: its page offers Delete…, not Cancel, and
// the API's cancel of a draft is a conflict that says to delete it. A
// cancelled draft could be neither edited nor deleted, and stayed in the
// campaign list for good.
func TestCancelledDraftIsNotStuck(t *testing.T) {
	_, a, _, token := campaignServer(t)
	page, api := createCampaign(t, a, token, `{"subject":"Draft","body":"Hi","lists":["news"]}`)
	a.login("correct horse battery")
	_, body := a.get(page)
	if strings.Contains(body, `action="`+page+`/cancel"`) || !strings.Contains(body, `href="`+page+`/delete"`) {
		t.Errorf("a draft's page: want Delete… and no Cancel:\n%s", body)
	}

	code, got := apiCall(t, a.base, token, "POST", api+"/cancel", "")
	if msg, _ := got["message"].(string); code != http.StatusConflict || got["error"] != "conflict" || !strings.Contains(msg, "Delete the draft") {
		t.Errorf("cancel a draft = %d %v, want 409 saying to delete it", code, got)
	}
	// The page's form, posted by hand, is refused the same way.
	csrf := a.csrfOf(page)
	resp, body := a.postBody(page+"/cancel", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Delete the draft") {
		t.Errorf("the cancel form on a draft = %d, want 409 saying to delete it:\n%s", resp.StatusCode, body)
	}
	if code, got := apiCall(t, a.base, token, "GET", api, ""); got["status"] != "draft" {
		t.Errorf("after a refused cancel: %d %v, want the draft as it was", code, got)
	}
	if resp := a.post(page+"/delete", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("delete the draft = %d, want 303", resp.StatusCode)
	}
}

// A scheduled campaign still has a Cancel; once cancelled it never
// started and sent nothing, so it can be deleted like a draft, from the
// API and from its page.
func TestCancelledBeforeStartCanBeDeleted(t *testing.T) {
	_, a, _, token := campaignServer(t)
	page, api := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	a.login("correct horse battery")
	if _, body := a.get(page); !strings.Contains(body, `action="`+page+`/cancel"`) {
		t.Errorf("a scheduled campaign's page has no Cancel:\n%s", body)
	}
	if code, got := apiCall(t, a.base, token, "POST", api+"/cancel", ""); code != 200 || got["status"] != "cancelled" {
		t.Fatalf("cancel the scheduled campaign = %d %v", code, got)
	}
	_, body := a.get(page)
	if !strings.Contains(body, `href="`+page+`/delete"`) || strings.Contains(body, `action="`+page+`/cancel"`) {
		t.Errorf("a campaign cancelled before it started: want Delete… and no Cancel:\n%s", body)
	}
	if resp, body := a.get(page + "/delete"); resp.StatusCode != 200 || !strings.Contains(body, "Delete this campaign?") {
		t.Errorf("GET %s/delete = %d, want the confirmation:\n%s", page, resp.StatusCode, body)
	}
	if code, got := apiCall(t, a.base, token, "DELETE", api, ""); code != http.StatusNoContent {
		t.Errorf("DELETE a campaign cancelled before it started = %d %v, want 204", code, got)
	}
	if code, _ := apiCall(t, a.base, token, "GET", api, ""); code != http.StatusNotFound {
		t.Errorf("GET after delete = %d, want 404", code)
	}
}

// A draft that an older version let be cancelled (status cancelled,
// started_at NULL, no delivery) is deleted from its page.
func TestOldCancelledDraftIsDeletedFromItsPage(t *testing.T) {
	_, a, db, token := campaignServerWithDB(t)
	page, api := createCampaign(t, a, token, `{"subject":"Oops","body":"Hi","lists":["news"]}`)
	id, _ := strconv.ParseInt(page[strings.LastIndex(page, "/")+1:], 10, 64)
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'cancelled', finished_at = CURRENT_TIMESTAMP WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	if _, body := a.get(page); !strings.Contains(body, `href="`+page+`/delete"`) {
		t.Errorf("an old cancelled draft's page offers no Delete…:\n%s", body)
	}
	csrf := a.csrfOf(page)
	if resp := a.post(page+"/delete", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("delete an old cancelled draft = %d, want 303", resp.StatusCode)
	}
	if code, _ := apiCall(t, a.base, token, "GET", api, ""); code != http.StatusNotFound {
		t.Errorf("GET after delete = %d, want 404", code)
	}
}

// A campaign cancelled after it started is history: no Delete…, and
// DELETE is still a 409.
func TestCancelledAfterStartIsKept(t *testing.T) {
	_, a, _, token := campaignServer(t)
	page, api := createCampaign(t, a, token, `{"subject":"Now","body":"Hi","lists":["news"]}`)
	for _, step := range []string{"/send", "/cancel"} {
		if code, got := apiCall(t, a.base, token, "POST", api+step, ""); code != 200 {
			t.Fatalf("POST %s = %d %v", step, code, got)
		}
	}
	a.login("correct horse battery")
	if _, body := a.get(page); strings.Contains(body, `href="`+page+`/delete"`) {
		t.Errorf("a campaign cancelled while sending offers Delete…:\n%s", body)
	}
	if resp, _ := a.get(page + "/delete"); resp.StatusCode != http.StatusConflict {
		t.Errorf("GET %s/delete = %d, want 409", page, resp.StatusCode)
	}
	if code, got := apiCall(t, a.base, token, "DELETE", api, ""); code != http.StatusConflict {
		t.Errorf("DELETE a campaign cancelled while sending = %d %v, want 409", code, got)
	}
}
