package web

import (
	"net/http"
	"strings"
	"testing"
)

// A field that takes a list of strings, sent a string, is refused with
// the list to send instead, made of what was sent: a test send to
// {"to":"ed@example.com"} is told to send ["ed@example.com"], not only
// that "to" must be a list. A string of several addresses is shown as
// their list, and a list encoded twice as the list itself. A value of
// another kind is told its kind alone.
func TestJSONListOfStringsShowsTheListToSend(t *testing.T) {
	a, token, campaign := jsonServer(t)
	long := strings.Repeat("x", 70) + "@example.com"
	cases := []struct {
		method, path, body, field, want string
	}{
		{"POST", campaign + "/test", `{"to":"ed@example.com"}`, "to", `must be a list of strings, like ["ed@example.com"]`},
		{"POST", campaign + "/test", `{"to":" ed@example.com, fay@example.com;"}`, "to", `must be a list of strings, like ["ed@example.com", "fay@example.com"]`},
		{"POST", campaign + "/test", `{"to":"a@x.example,b@x.example,c@x.example,d@x.example"}`, "to", `must be a list of strings, like ["a@x.example", "b@x.example", "c@x.example", …]`},
		{"POST", campaign + "/test", `{"to":"[\"ed@example.com\"]"}`, "to", `must be a list of strings, not a string holding one: send ["ed@example.com"]`},
		{"POST", campaign + "/test", `{"to":"Ed <ed@example.com>"}`, "to", `must be a list of strings, like ["Ed <ed@example.com>"]`},
		{"POST", campaign + "/test", `{"to":"` + long + `"}`, "to", `must be a list of strings, like ["` + long[:59] + `…"]`},
		{"POST", campaign + "/test", `{"to":""}`, "to", "must be a list of strings"},
		{"POST", campaign + "/test", `{"to":"[1]"}`, "to", "must be a list of strings"},
		{"POST", campaign + "/test", `{"to":5}`, "to", "must be a list of strings"},
		{"POST", campaign + "/test", `{"to":[5]}`, "to", "must be a list of strings"},
		{"PATCH", campaign, `{"lists":"news"}`, "lists", `must be a list of strings, like ["news"]`},
		{"POST", "/api/v1/subscriptions", `{"email":"reader@example.com","lists":"news"}`, "lists", `must be a list of strings, like ["news"]`},
	}
	for _, c := range cases {
		code, got := apiCall(t, a.base, token, c.method, c.path, c.body)
		if code != http.StatusUnprocessableEntity || got["error"] != "validation" || fieldsOf(got)[c.field] != c.want || len(fieldsOf(got)) != 1 {
			t.Errorf("%s %s %s = %d %v, want 422 with %s %q", c.method, c.path, c.body, code, got, c.field, c.want)
		}
	}
}
