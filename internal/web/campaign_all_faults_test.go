package web

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A campaign's create and PATCH name every fault in one answer, unknown
// lists beside the other fields, as the subscriber and signup endpoints
// do. The lists were looked up only once the rest passed, so a client
// fixed the subject only to be told of the list next.
func TestCampaignAPINamesUnknownListsWithTheOtherFaults(t *testing.T) {
	_, a, _, token := campaignServer(t)
	_, api := createCampaign(t, a, token, `{"subject":"Tides","body":"High water at noon.","lists":["news"]}`)
	for _, tc := range []struct {
		name, method, path, body string
		want                     map[string]any
	}{
		{"create", "POST", "/api/v1/campaigns", `{"subject":"","body":"y","lists":["nope"]}`,
			map[string]any{"subject": "write a subject of 1–200 characters", "lists": `there is no list "nope"`}},
		{"create, two unknown", "POST", "/api/v1/campaigns", `{"subject":"x","body":"","lists":["news","Nope","nope","gone"]}`,
			map[string]any{"body": "write the body, in Markdown", "lists": `there are no lists "Nope" and "gone"`}},
		{"patch", "PATCH", api, `{"subject":"","lists":["nope"]}`,
			map[string]any{"subject": "write a subject of 1–200 characters", "lists": `there is no list "nope"`}},
		{"patch, lists alone", "PATCH", api, `{"lists":["News","nope"]}`,
			map[string]any{"lists": `there is no list "nope"`}},
		{"patch, no list", "PATCH", api, `{"subject":"","lists":[]}`,
			map[string]any{"subject": "write a subject of 1–200 characters", "lists": "choose at least one list"}},
	} {
		code, got := apiCall(t, a.base, token, tc.method, tc.path, tc.body)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %s = %d %v, want 422", tc.name, tc.body, code, got)
		}
		if diff := cmp.Diff(any(tc.want), got["fields"]); diff != "" {
			t.Errorf("%s: %s fields (-want +got):\n%s", tc.name, tc.body, diff)
		}
	}
	// Nothing refused was kept: one campaign, as it was.
	code, page := apiCall(t, a.base, token, "GET", "/api/v1/campaigns", "")
	if items, _ := page["items"].([]any); code != http.StatusOK || len(items) != 1 {
		t.Errorf("campaigns after the refusals = %d %v, want the one created", code, page)
	}
	if code, c := apiCall(t, a.base, token, "GET", api, ""); code != http.StatusOK || c["subject"] != "Tides" || !cmp.Equal(c["lists"], []any{"news"}) {
		t.Errorf("the campaign after refused PATCHes = %d %v, want it unchanged", code, c)
	}
}
