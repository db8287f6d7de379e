package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONDates: every date a JSON body takes (an article's published_at,
// a campaign's send_at) is read as RFC 3339 reads it, its "T" and "Z" in
// either case; a date that does not exist is refused as one, not as a
// date in the wrong form, and so is a time of day or an offset out of
// range; the wrong form is still told so, those Go's parser takes
// included (a one-digit hour, a comma before the fraction, +24:00).
func TestJSONDates(t *testing.T) {
	a, token, campaign := jsonServer(t)
	taken := []struct{ path, body, member, want string }{
		{"/api/v1/articles", `{"title":"T","url":"https://news.example/1","published_at":"2026-12-05t10:00:00z"}`, "published_at", "2026-12-05T10:00:00Z"},
		{"/api/v1/articles", `{"title":"T","url":"https://news.example/2","published_at":"2026-12-05t10:00:00.5+01:00"}`, "published_at", "2026-12-05T09:00:00.5Z"},
		{"/api/v1/campaigns", `{"subject":"S","body":"B","lists":["news"],"send_at":"2099-01-01t09:00:00z"}`, "send_at", "2099-01-01T09:00:00Z"},
	}
	for _, tc := range taken {
		code, got := apiCall(t, a.base, token, "POST", tc.path, tc.body)
		if code != http.StatusCreated || got[tc.member] != tc.want {
			t.Errorf("POST %s %s = %d %v, want 201 with %s %s", tc.path, tc.body, code, got, tc.member, tc.want)
		}
	}

	const example = "2026-12-01T09:00:00Z"
	refused := []struct{ method, path, member, value, want string }{
		{"POST", "/api/v1/articles", "published_at", "2026-02-30T10:00:00Z", "2026-02-30 does not exist (February 2026 has 28 days): give a date that does, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2028-02-30t10:00:00z", "2028-02-30 does not exist (February 2028 has 29 days): give a date that does, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2026-04-31T10:00:00+02:00", "2026-04-31 does not exist (April 2026 has 30 days): give a date that does, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2026-12-00T10:00:00Z", "2026-12-00 does not exist (a month's days are numbered from 01): give a date that does, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2026-13-01T10:00:00Z", "2026-13-01 does not exist (there is no month 13): give a date that does, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2026-12-01T24:00:00Z", "24:00:00 is no time of day: give hours 00–23 and minutes and seconds 00–59, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2026-12-01T09:00:00+25:00", "+25:00 is no time zone offset: give Z for UTC, or an offset like +01:00 or -05:00, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2026-12-01T09:00:00+24:00", "+24:00 is no time zone offset: give Z for UTC, or an offset like +01:00 or -05:00, like " + example},
		{"POST", "/api/v1/articles", "published_at", "tomorrow", "use a date and time in RFC 3339 form, like " + example},
		// Go's parser takes these three; RFC 3339 none of them.
		{"POST", "/api/v1/articles", "published_at", "2026-12-01T9:00:00Z", "use a date and time in RFC 3339 form, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2026-12-01T09:00:00,5Z", "use a date and time in RFC 3339 form, like " + example},
		{"PATCH", campaign, "send_at", "2099-02-01T09:00:00-24:00", "-24:00 is no time zone offset: give Z for UTC, or an offset like +01:00 or -05:00, like " + example},
		{"POST", "/api/v1/articles", "published_at", "2026-12-01 09:00:00Z", "use a date and time in RFC 3339 form, like " + example},
		{"PATCH", campaign, "send_at", "2099-02-29T09:00:00Z", "2099-02-29 does not exist (February 2099 has 28 days): give a date that does, like " + example},
		{"PATCH", campaign, "send_at", "2099-02-01t09:00:61z", "09:00:61 is no time of day: give hours 00–23 and minutes and seconds 00–59, like " + example},
	}
	for _, tc := range refused {
		body := `{"title":"T","url":"https://news.example/x","` + tc.member + `":"` + tc.value + `"}`
		if tc.method == "PATCH" {
			body = `{"` + tc.member + `":"` + tc.value + `"}`
		}
		code, got := apiCall(t, a.base, token, tc.method, tc.path, body)
		if diff := cmp.Diff(map[string]string{tc.member: tc.want}, fieldsOf(got)); code != http.StatusUnprocessableEntity || diff != "" {
			t.Errorf("%s %s with %s %s = %d, want 422 (-want +got fields):\n%s", tc.method, tc.path, tc.member, tc.value, code, diff)
		}
	}
}

// TestJSONBodyWithBOM: a body that starts with a UTF-8 byte order mark,
// as some editors and Windows tools write one, is read without it (RFC
// 8259 §8.1 lets a parser ignore it); a broken body after one is told
// what is wrong with it, not about the mark.
func TestJSONBodyWithBOM(t *testing.T) {
	a, token, _ := jsonServer(t)
	const bom = "\ufeff"
	code, got := apiCall(t, a.base, token, "POST", "/api/v1/articles", bom+`{"title":"Bridge","url":"https://news.example/bom"}`)
	if code != http.StatusCreated || got["title"] != "Bridge" {
		t.Errorf("POST of a body with a BOM = %d %v, want 201", code, got)
	}
	code, got = apiCall(t, a.base, token, "POST", "/api/v1/articles", bom+`{"title":"Bridge",}`)
	if msg, _ := got["message"].(string); code != http.StatusBadRequest || strings.ContainsAny(msg, "ï\ufeff") || !strings.Contains(msg, "line 1, column 19") {
		t.Errorf("POST of a broken body with a BOM = %d %v, want 400 placing the fault as in the body without the mark", code, got)
	}
}
