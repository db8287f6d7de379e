package web

import (
	"html"
	"net/url"
	"regexp"
	"testing"
)

// Saving the campaign form with a time to send at schedules the campaign,
// and the banner says so: "Campaign saved." alone let an editor take a
// campaign that would go out by itself for a draft.
func TestAdminSavedWithATimeSaysScheduled(t *testing.T) {
	_, a, _, _ := campaignServer(t)
	a.login("correct horse battery")
	_, body := a.get("/admin/campaigns/new")
	csrf := csrfField.FindStringSubmatch(body)[1]
	for _, tt := range []struct{ sendAt, flash string }{{"", "campaign-saved"}, {"2099-01-01T09:00", "campaign-scheduled"}} {
		resp := a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}, "send_at": {tt.sendAt}})
		loc := resp.Header.Get("Location")
		if key, _, _ := flashSet(resp); key != tt.flash || !regexp.MustCompile(`^/admin/campaigns/\d+$`).MatchString(loc) {
			t.Errorf("saved with send_at %q: to %q with the banner %q, want the campaign's page with the %s banner", tt.sendAt, loc, key, tt.flash)
			continue
		}
		if _, page := a.get(loc); bannerOf(page) != html.EscapeString(flashes[tt.flash]) {
			t.Errorf("the %s banner is not shown:\n%s", tt.flash, page)
		}
	}
}
