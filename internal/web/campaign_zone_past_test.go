package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The schedule form given an unknown zone and a time already past says
// both at once: it said only the zone, and the editor who fixed it
// learnt of the date on the next save. A zone written in other capitals
// is read as the zone meant for the date's check; a name that is no zone
// refuses only a date past in every zone.
func TestScheduleFormSaysBadZoneAndPastDateAtOnce(t *testing.T) {
	e := newZone32Env(t)
	for _, tc := range []struct {
		name, sendAt, zone string
		wantPast           bool
	}{
		{"unknown zone, a past date", "2020-01-01T09:00", "Europe/Atlantis", true},
		{"zone in other capitals, a past date", "2020-01-01T09:00", "europe/paris", true},
		{"unknown zone, a date to come", "2099-01-01T09:00", "Europe/Atlantis", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := e.a.do("POST", "/admin/campaigns", url.Values{"csrf": {e.csrf}, "action": {"save"}, "subject": {"Harbour news"},
				"body": {"Hello"}, "lists": {"news"}, "send_at": {tc.sendAt}, "send_zone": {tc.zone}})
			body := html.UnescapeString(raw)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("POST = %d, want 422", resp.StatusCode)
			}
			zone := schedFieldError(body, "send_zone")
			if zone == "" {
				t.Errorf("the form names no problem with the zone %q", tc.zone)
			}
			past := schedFieldError(body, "send_at")
			if tc.wantPast && !strings.Contains(past, "in the past") {
				t.Errorf("the form says of Send at %q; want it to say %s is in the past, beside the zone's %q", past, tc.sendAt, zone)
			}
			if !tc.wantPast && past != "" {
				t.Errorf("the form refuses Send at %s, a date to come in every zone: %q", tc.sendAt, past)
			}
		})
	}
}

// schedFieldError is the error the form shows under field, "" for none.
func schedFieldError(body, field string) string {
	m := regexp.MustCompile(`<p class="error" id="` + field + `-error">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}
