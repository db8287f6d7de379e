package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// hookAPI is a server with the webhook routes, refusing private targets
// unless allowPrivate, and a token for it.
func hookAPI(t *testing.T, allowPrivate bool) (*httptest.Server, string) {
	t.Helper()
	s, db := unroutedServer(t, nil)
	token, err := s.Admins.CreateToken(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	store := hooks.NewStore(db, hooks.Guard{AllowPrivate: allowPrivate})
	s.HookDeps = HookDeps{Hooks: store}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, token
}

// call makes an API request and decodes the answer into a map.
func call(t *testing.T, ts *httptest.Server, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func TestHookAPI(t *testing.T) {
	ts, token := hookAPI(t, true)
	code, e := call(t, ts, token, "POST", "/api/v1/webhooks", `{"url":"http://127.0.0.1:9/in","events":["subscriber.created","digest.sent"],"description":"CRM"}`)
	secret, _ := e["secret"].(string)
	if code != 201 || !strings.HasPrefix(secret, "whsec_") || e["active"] != true {
		t.Fatalf("create = %d %v, want 201 with a whsec_ secret", code, e)
	}
	id := jsonNumber(e["id"])
	if code, got := call(t, ts, token, "GET", "/api/v1/webhooks/"+id, ""); code != 200 || got["secret"] != nil || got["url"] != "http://127.0.0.1:9/in" {
		t.Errorf("get = %d %v, want the endpoint without its secret", code, got)
	}
	if code, got := call(t, ts, token, "GET", "/api/v1/webhooks", ""); code != 200 || len(got["items"].([]any)) != 1 || strings.Contains(jsonString(got), "whsec_") {
		t.Errorf("list = %d %v, want one endpoint and no secret", code, got)
	}
	code, got := call(t, ts, token, "PATCH", "/api/v1/webhooks/"+id, `{"events":["subscriber.deleted"]}`)
	if fields, _ := got["fields"].(map[string]any); code != 422 || !strings.Contains(jsonString(fields["events"]), "is not an event type; use subscriber.created") {
		t.Errorf("patch with an unknown event = %d %v, want 422 naming the types", code, got)
	}
	if code, got := call(t, ts, token, "PATCH", "/api/v1/webhooks/"+id, `{"active":false}`); code != 200 || got["active"] != false {
		t.Errorf("disable = %d %v", code, got)
	}
	if code, got := call(t, ts, token, "POST", "/api/v1/webhooks/"+id+"/test", ""); code != 409 {
		t.Errorf("test event to a disabled endpoint = %d %v, want 409", code, got)
	}
	call(t, ts, token, "PATCH", "/api/v1/webhooks/"+id, `{"active":true}`)
	if code, got := call(t, ts, token, "POST", "/api/v1/webhooks/"+id+"/test", ""); code != 202 || !strings.HasPrefix(jsonString(got["id"]), "msg_") {
		t.Errorf("test event = %d %v, want 202 with its id", code, got)
	}
	code, got = call(t, ts, token, "GET", "/api/v1/webhooks/"+id+"/deliveries", "")
	items, _ := got["items"].([]any)
	if code != 200 || len(items) != 1 || items[0].(map[string]any)["type"] != hooks.TestEvent || items[0].(map[string]any)["state"] != "pending" {
		t.Errorf("deliveries = %d %v, want the pending test event", code, got)
	}
	if code, _ := call(t, ts, token, "DELETE", "/api/v1/webhooks/"+id, ""); code != 204 {
		t.Errorf("delete = %d, want 204", code)
	}
	for _, p := range []string{"/api/v1/webhooks/" + id, "/api/v1/webhooks/" + id + "/deliveries"} {
		if code, _ := call(t, ts, token, "GET", p, ""); code != 404 {
			t.Errorf("GET %s after delete = %d, want 404", p, code)
		}
	}
	if code, _ := call(t, ts, token, "GET", "/api/v1/webhooks/x", ""); code != 422 {
		t.Errorf("GET /api/v1/webhooks/x = %d, want 422: x is no id", code)
	}
	if code, _ := call(t, ts, "", "GET", "/api/v1/webhooks", ""); code != 401 {
		t.Errorf("without a token = %d, want 401", code)
	}
}

// Without BULLETIN_ALLOW_PRIVATE_FEEDS a private target is refused, and
// the answer says how to allow it.
func TestHookAPIRefusesPrivateTargets(t *testing.T) {
	ts, token := hookAPI(t, false)
	for _, u := range []string{"http://127.0.0.1:9/in", "http://10.0.0.7/in", "http://[::1]/in", "http://169.254.169.254/latest"} {
		code, got := call(t, ts, token, "POST", "/api/v1/webhooks", `{"url":"`+u+`","events":["subscriber.created"]}`)
		fields, _ := got["fields"].(map[string]any)
		if code != 422 || !strings.Contains(jsonString(fields["url"]), "BULLETIN_ALLOW_PRIVATE_FEEDS") {
			t.Errorf("create on %s = %d %v, want 422 naming BULLETIN_ALLOW_PRIVATE_FEEDS", u, code, got)
		}
	}
	code, got := call(t, ts, token, "POST", "/api/v1/webhooks", `{"url":"ftp://example.com/x","events":[]}`)
	fields, _ := got["fields"].(map[string]any)
	if code != 422 || !strings.Contains(jsonString(fields["url"]), "http:// or https://") || !strings.Contains(jsonString(fields["events"]), "at least one") {
		t.Errorf("create with a bad URL and no event = %d %v", code, got)
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
