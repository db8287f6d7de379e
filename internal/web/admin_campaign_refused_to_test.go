package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A campaign page shown with a refusal (a send to nobody, an edit of a
// sent campaign) fills its test form's To field with the editor's own
// address, as the page does when opened: it came back empty, so the
// editor who turned to a test instead had to type their address again.
func TestCampaignRefusedPageKeepsTheTestAddress(t *testing.T) {
	s, a, _, token := campaignServer(t)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "quiet", Name: "Quiet", Public: true}); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	page, _ := createCampaign(t, a, token, `{"subject":"Hi","body":"Hello","lists":["quiet"]}`)
	resp, body := a.get(page + "/send")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "would reach nobody") {
		t.Fatalf("a send to nobody = %d, want 422 saying so:\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `name="to" value="editor@example.com"`) {
		t.Errorf("the refused page's test form does not hold the editor's address:\n%s", body)
	}
}
