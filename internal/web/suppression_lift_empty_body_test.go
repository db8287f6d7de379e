package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// onlyReader hides a strings.Reader's length, so that the client sends
// the body chunked, with no Content-Length.
type onlyReader struct{ io.Reader }

// DELETE /api/v1/suppressions/{address} takes its body as optional: an
// empty one, or one of only whitespace, is no body whatever the
// Content-Type a client sets on every call, as on the routes that take no
// body; a body with something in it is still read and checked.
func TestLiftSuppressionEmptyBodyWithContentType(t *testing.T) {
	e := newFeedbackEnv(t)
	for _, tc := range []struct {
		name, contentType, body string
		chunked                 bool
		status                  int
		want                    string
	}{
		{name: "json, empty", contentType: "application/json", status: 204},
		{name: "json with charset, empty", contentType: "application/json; charset=utf-8", status: 204},
		{name: "json, whitespace", contentType: "application/json", body: " \r\n\t ", status: 204},
		{name: "json, empty, chunked", contentType: "application/json", chunked: true, status: 204},
		{name: "text, empty", contentType: "text/plain", status: 204},
		{name: "none, empty", status: 204},
		{name: "json, reason", contentType: "application/json", body: ` {"reason":"asked by phone"}`, status: 204},
		{name: "json, reason, chunked", contentType: "application/json", body: `{"reason":"asked again"}`, chunked: true, status: 204},
		{name: "none, reason", body: `{"reason":"asked by phone"}`, status: 415, want: "application/json"},
		{name: "none, reason, chunked", body: `{"reason":"asked by phone"}`, chunked: true, status: 415, want: "application/json"},
		{name: "json, cut off", contentType: "application/json", body: `  {"reason":`, status: 400, want: "ends in the middle"},
		{name: "json, unknown member", contentType: "application/json", body: `{"reson":"x"}`, status: 422, want: `did you mean \"reason\"`},
		{name: "json, null", contentType: "application/json", body: "null", status: 400, want: "not null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := e.api("POST", "/api/v1/suppressions", `{"address":"robin@tidewater.test"}`); status != 201 {
				t.Fatalf("POST /api/v1/suppressions = %d %s", status, body)
			}
			var rd io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				rd = onlyReader{rd}
			}
			req, err := http.NewRequest("DELETE", e.a.base+"/api/v1/suppressions/robin@tidewater.test", rd)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+e.token)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
				t.Errorf("DELETE with Content-Type %q and body %q = %d %s; want %d with %s", tc.contentType, tc.body, resp.StatusCode, b, tc.status, tc.want)
			}
			// What was refused left the entry on the list: lift it, so
			// the next case adds it anew.
			if resp.StatusCode != 204 {
				if status, body := e.api("DELETE", "/api/v1/suppressions/robin@tidewater.test", ""); status != 204 {
					t.Fatalf("DELETE without a body = %d %s", status, body)
				}
			}
		})
	}
	for _, want := range []string{`"reason":"asked by phone"`, `"reason":"asked again"`} {
		if !strings.Contains(e.log.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, e.log.String())
		}
	}
}

// The lift is the one operation whose body the OpenAPI document makes
// optional, the one whose handler reads an empty body as none
// (hasOptionalBody): a route that takes no body reads it so already
// (checkNoBody), and every other body is required. An operation made
// optional later fails here until its handler reads its body the same
// way and is listed.
func TestOptionalBodiesAreTheLiftOnly(t *testing.T) {
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiJSON, &d); err != nil {
		t.Fatal(err)
	}
	var got []string
	for path, ops := range d.Paths {
		for method, raw := range ops {
			var op struct {
				RequestBody *struct {
					Required bool `json:"required"`
				} `json:"requestBody"`
			}
			if json.Unmarshal(raw, &op) == nil && op.RequestBody != nil && !op.RequestBody.Required {
				got = append(got, strings.ToUpper(method)+" "+path)
			}
		}
	}
	if diff := cmp.Diff([]string{"DELETE /api/v1/suppressions/{address}"}, got); diff != "" {
		t.Errorf("operations with an optional body (-want +got):\n%s", diff)
	}
}
