package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A send time that is no time does not hide the campaign's other faults:
// the form names a list that does not exist beside it (it said "There is
// no list" only once the date was fixed), and the API's create and PATCH
// name the unknown zone and list in the same 422 (they named send_at
// alone).
func TestCampaignBadTimeNamesZoneAndUnknownListToo(t *testing.T) {
	e := newZone32Env(t)
	for _, action := range []string{"save", "preview"} {
		resp, raw := e.a.do("POST", "/admin/campaigns", url.Values{"csrf": {e.csrf}, "action": {action}, "subject": {"Harbour news"},
			"body": {"Hello"}, "lists": {"news", "nope"}, "send_at": {"garbage"}, "send_zone": {"Mars/X"}})
		body := html.UnescapeString(raw)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: POST = %d, want 422", action, resp.StatusCode)
		}
		for field, want := range map[string]string{"send_at": "date and time", "send_zone": "time zone", "lists": `no list "nope"`} {
			if got := schedFieldError(body, field); !strings.Contains(got, want) {
				t.Errorf("%s: the form says %q beside %s, want %q", action, got, field, want)
			}
		}
	}

	_, api := createCampaign(t, e.a, e.token, `{"subject":"Tides","body":"High water at noon.","lists":["news"]}`)
	for _, tc := range []struct{ name, method, path, body string }{
		{"create", "POST", "/api/v1/campaigns", `{"subject":"Tides","body":"x","lists":["news","nope"],"send_at":"garbage","send_zone":"Mars/X"}`},
		{"patch", "PATCH", api, `{"lists":["news","nope"],"send_at":"garbage","send_zone":"Mars/X"}`},
	} {
		code, got := apiCall(t, e.a.base, e.token, tc.method, tc.path, tc.body)
		fields, _ := got["fields"].(map[string]any)
		if code != http.StatusUnprocessableEntity || len(fields) != 3 {
			t.Errorf("%s = %d %v, want 422 naming send_at, send_zone and lists", tc.name, code, got)
			continue
		}
		for field, want := range map[string]string{"send_at": "RFC 3339", "send_zone": "IANA time zone", "lists": `there is no list "nope"`} {
			if why, _ := fields[field].(string); !strings.Contains(why, want) {
				t.Errorf("%s: %s = %q, want it to say %q", tc.name, field, why, want)
			}
		}
	}
	// A good zone with the bad time is not refused; nothing was stored.
	code, got := apiCall(t, e.a.base, e.token, "POST", "/api/v1/campaigns", `{"subject":"Tides","body":"x","lists":["news"],"send_at":"garbage","send_zone":"Europe/Paris"}`)
	if fields, _ := got["fields"].(map[string]any); code != http.StatusUnprocessableEntity || len(fields) != 1 || fields["send_at"] == nil {
		t.Errorf("bad time in a good zone = %d %v, want send_at alone", code, got)
	}
	if code, page := apiCall(t, e.a.base, e.token, "GET", "/api/v1/campaigns", ""); code != http.StatusOK || len(page["items"].([]any)) != 1 {
		t.Errorf("campaigns after the refusals = %d %v, want the one created", code, page)
	}
}
