package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A draft whose only list was deleted (allowed: only scheduled, sending
// and paused campaigns hold a list) still reads back with GET; a test
// send of it is the editor's check before choosing another list, and it
// is sent, not answered 404 "There is no campaign N.". The campaign's page shows
// its mail too.
func TestTestSendOfDraftWithDeletedList(t *testing.T) {
	s, a, out, token := campaignServer(t)
	page, path := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi {{ .Name }}","lists":["news"]}`)
	if err := s.Subscribers.DeleteList(context.Background(), "news"); err != nil {
		t.Fatalf("delete the draft's list: %v", err)
	}
	if code, got := apiCall(t, a.base, token, "GET", path, ""); code != 200 {
		t.Fatalf("GET = %d %v, want the draft", code, got)
	}
	code, got := apiCall(t, a.base, token, "POST", path+"/test", `{"to":["editor@example.com"]}`)
	if code == http.StatusNotFound || strings.Contains(fmt_(got["message"]), "There is no campaign") {
		t.Errorf("test send of an existing draft without lists = %d %v; want the test sent, or a 422 on lists, not 'There is no campaign'", code, got)
	}
	if code != http.StatusOK {
		t.Errorf("test send of a draft without lists = %d %v, want 200", code, got)
	}
	if names, _ := out.List(0); len(names) != 1 {
		t.Errorf("outbox has %d messages after the test send, want 1", len(names))
	}
	a.login("correct horse battery")
	if resp, body := a.get(page); resp.StatusCode != http.StatusOK ||
		strings.Contains(body, "does not render") || !strings.Contains(body, "Hi Ada Reader") {
		i := strings.Index(body, "does not render")
		t.Errorf("campaign page = %d, %q; want the mail to the sample reader", resp.StatusCode, body[max(i, 0):min(max(i, 0)+80, len(body))])
	}
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns/999/test", `{"to":["editor@example.com"]}`); code != http.StatusNotFound {
		t.Errorf("test send of no campaign = %d %v, want 404", code, got)
	}
}
