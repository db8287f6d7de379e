package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// An unknown id is a 404 whatever the body, on every route: a feed's
// PATCH without "active" and a test send without "to" said 422 first.
func TestUnknownIDIsNotFoundBeforeTheBodysFaults(t *testing.T) {
	_, a, token := fullServer(t)
	_, campaign := createCampaign(t, a, token, `{"subject":"Hello","body":"Hi","lists":["news"]}`)
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"PATCH", "/api/v1/feeds/999999", `{}`, 404},
		{"PATCH", "/api/v1/feeds/999999", `{"url":"https://elsewhere.example/rss"}`, 404},
		{"POST", "/api/v1/campaigns/999999/test", `{}`, 404},
		{"POST", "/api/v1/campaigns/999999/test", `{"to":["not an address"]}`, 404},
		{"PATCH", "/api/v1/articles/999999", `{}`, 404},
		{"PATCH", "/api/v1/subscribers/999999", `{}`, 404},
		{"PATCH", "/api/v1/campaigns/999999", `{}`, 404},
		{"PATCH", "/api/v1/webhooks/999999", `{}`, 404},
		{"PATCH", "/api/v1/lists/nope", `{}`, 404},
		// A known one still has its body's faults named.
		{"POST", campaign + "/test", `{}`, 422},
		{"POST", campaign + "/test", `{"to":["not an address"]}`, 422},
	} {
		// The document holds no 404 to a body it refuses: apiCall, not
		// callDocumented.
		if code, got := apiCall(t, a.base, token, c.method, c.path, c.body); code != c.want {
			t.Errorf("%s %s %s = %d %v, want %d", c.method, c.path, c.body, code, got, c.want)
		}
	}
}

// An id is written in digits, the first not 0: /subscribers/01 and
// /subscribers/+1 are not reader 1 (a DELETE of either erased them), and
// an id too large for any object says so.
func TestIDsAreCanonicalDigits(t *testing.T) {
	_, a, token := fullServer(t)
	for _, c := range []struct{ method, id, why string }{
		{"DELETE", "01", "use a whole number of 1 or more"},
		{"DELETE", "+1", "use a whole number of 1 or more"},
		{"GET", "0001", "use a whole number of 1 or more"},
		{"GET", "-1", "use a whole number of 1 or more"},
		{"GET", "0", "use a whole number of 1 or more"},
		{"GET", "1e0", "use a whole number of 1 or more"},
		{"GET", "99999999999999999999", "is too large"},
		{"DELETE", "9223372036854775808", "is too large"},
	} {
		code, got := callDocumented(t, a, token, c.method, "/api/v1/subscribers/"+c.id, "")
		var e errorBody
		json.Unmarshal(got, &e)
		if code != http.StatusUnprocessableEntity || !strings.HasPrefix(e.Fields["id"], c.why) {
			t.Errorf("%s /api/v1/subscribers/%s = %d %s, want 422 with id %q", c.method, c.id, code, got, c.why)
		}
	}
	if code, got := apiCall(t, a.base, token, "GET", "/api/v1/subscribers/1", ""); code != http.StatusOK || got["email"] != "ada@example.com" {
		t.Errorf("GET /api/v1/subscribers/1 = %d %v: reader 1 should be there still", code, got)
	}
	if code, got := callDocumented(t, a, token, "GET", "/api/v1/subscribers/9223372036854775807", ""); code != http.StatusNotFound {
		t.Errorf("the largest id = %d %s, want 404", code, got)
	}
}

// null is no object and, for a member whose schema does not take it, no
// value: encoding/json would take either as "no change" and answer 200.
// A member given twice is refused too, naming it: which value was meant
// is anyone's guess.
func TestNullAndTwiceGivenMembersAreRefused(t *testing.T) {
	_, a, token := fullServer(t)
	_, campaign := createCampaign(t, a, token, `{"subject":"Hello","body":"Hi","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`)
	for _, c := range []struct {
		method, path, body string
		want               int
		field, why         string
	}{
		{"PATCH", "/api/v1/lists/news", `null`, 400, "", ""},
		{"PATCH", "/api/v1/lists/news", " null\n", 400, "", ""},
		{"POST", "/api/v1/lists", `null`, 400, "", ""},
		{"PATCH", "/api/v1/lists/news", `{"name":null}`, 422, "name", "cannot be null: give a string, or leave it out to keep it as it is"},
		{"PATCH", "/api/v1/subscribers/1", `{"name":null}`, 422, "name", "cannot be null"},
		{"POST", "/api/v1/campaigns", `{"subject":null,"body":"Hi","lists":["news"]}`, 422, "subject", "cannot be null: give a string, or leave it out"},
		{"PATCH", "/api/v1/lists/news", `{"name":"a","name":"b"}`, 422, "name", "is given more than once"},
		{"PATCH", "/api/v1/lists/news", `{"name":"a","description":"x","name":"a"}`, 422, "name", "is given more than once"},
		// send_at takes null: it unschedules the campaign.
		{"PATCH", campaign, `{"send_at":null}`, 200, "", ""},
	} {
		code, got := callDocumented(t, a, token, c.method, c.path, c.body)
		var e errorBody
		json.Unmarshal(got, &e)
		if code != c.want || c.field != "" && !strings.HasPrefix(e.Fields[c.field], c.why) {
			t.Errorf("%s %s %s = %d %s, want %d with %s %q", c.method, c.path, c.body, code, got, c.want, c.field, c.why)
		}
	}
	if code, got := apiCall(t, a.base, token, "GET", "/api/v1/lists/news", ""); code != http.StatusOK || got["name"] != "News" {
		t.Errorf("GET /api/v1/lists/news = %d %v: a refused PATCH changed it", code, got)
	}
	if code, got := apiCall(t, a.base, token, "GET", campaign, ""); code != http.StatusOK || got["status"] != "draft" {
		t.Errorf("GET %s = %d %v, want the draft that send_at null made", campaign, code, got)
	}
}
