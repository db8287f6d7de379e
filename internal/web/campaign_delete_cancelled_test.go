package web

import (
	"strings"
	"testing"
)

// The delete page of a scheduled campaign says it will not go out at its
// time; once the campaign is cancelled it was never going to, so its
// delete page names no time and makes no such promise, though the
// campaign keeps its send time.
func TestDeletePageOfCancelledCampaignNamesNoTime(t *testing.T) {
	_, a, _, token := campaignServer(t)
	page, api := createCampaign(t, a, token, `{"subject":"Later","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	a.login("correct horse battery")
	_, body := a.get(page + "/delete")
	for _, want := range []string{"scheduled for 1 January 2099, 09:00 UTC", "it will not go out at its scheduled time"} {
		if !strings.Contains(body, want) {
			t.Errorf("the scheduled campaign's delete page does not say %q:\n%s", want, body)
		}
	}
	if code, got := apiCall(t, a.base, token, "POST", api+"/cancel", ""); code != 200 || got["status"] != "cancelled" || got["send_at"] == nil {
		t.Fatalf("cancel the scheduled campaign = %d %v, want it cancelled with its send time kept", code, got)
	}
	resp, body := a.get(page + "/delete")
	if resp.StatusCode != 200 || !strings.Contains(body, "Delete this campaign?") {
		t.Fatalf("GET %s/delete = %d, want the confirmation:\n%s", page, resp.StatusCode, body)
	}
	for _, unwanted := range []string{"scheduled for", "scheduled time"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("the cancelled campaign's delete page says %q:\n%s", unwanted, body)
		}
	}
}
