package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A webhook endpoint's URL is stored with its scheme and host in lower
// case, as an article's is, and the check for a second endpoint at one
// URL compares them so, through the API and the admin's form alike:
// HTTP://127.0.0.1:18150/hook made a second endpoint for
// http://127.0.0.1:18150/hook, which then got every event twice. The
// path and query keep their case. An endpoint stored before, its URL in
// capitals, is found too, and keeps its own URL when changed.
func TestHookURLSchemeAndHostInAnyCaseAreOneEndpoint(t *testing.T) {
	h := newHookAdmin(t)
	token, err := h.s.Admins.CreateToken(t.Context(), "test")
	if err != nil {
		t.Fatal(err)
	}
	api := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return apiCall(t, h.a.base, token, method, path, body)
	}
	hasIt := func(id string) map[string]any {
		return map[string]any{"url": "endpoint " + id + " has this URL already: change that endpoint's events instead, or delete it first"}
	}
	if code, e := api("POST", "/api/v1/webhooks", `{"url":"http://127.0.0.1:18150/hook","events":["subscriber.created"]}`); code != http.StatusCreated {
		t.Fatalf("create = %d %v", code, e)
	}
	code, e := api("POST", "/api/v1/webhooks", `{"url":"HTTP://127.0.0.1:18150/hook","events":["digest.sent"]}`)
	if fields, _ := e["fields"].(map[string]any); code != http.StatusUnprocessableEntity || !equalJSON(fields, hasIt("1")) {
		t.Errorf("create at HTTP://127.0.0.1:18150/hook = %d %v, want 422 naming endpoint 1", code, e)
	}
	code, e = api("POST", "/api/v1/webhooks", `{"url":"HTTPS://LocalHost:18150/Hook?Key=A","events":["digest.sent"]}`)
	if code != http.StatusCreated || e["url"] != "https://localhost:18150/Hook?Key=A" {
		t.Fatalf("create at HTTPS://LocalHost:18150/Hook?Key=A = %d %v, want 201 at https://localhost:18150/Hook?Key=A", code, e)
	}
	second := "/api/v1/webhooks/" + jsonNumber(e["id"])
	if code, e := api("PATCH", second, `{"url":"https://LOCALHOST:18150/Hook?Key=A"}`); code != http.StatusOK || e["url"] != "https://localhost:18150/Hook?Key=A" {
		t.Errorf("PATCH to its own URL in capitals = %d %v, want 200", code, e)
	}
	code, e = api("PATCH", second, `{"url":"Http://127.0.0.1:18150/hook"}`)
	if fields, _ := e["fields"].(map[string]any); code != http.StatusUnprocessableEntity || !equalJSON(fields, hasIt("1")) {
		t.Errorf("PATCH to endpoint 1's URL in capitals = %d %v, want 422 naming endpoint 1", code, e)
	}
	if code, e := api("POST", "/api/v1/webhooks", `{"url":"https://localhost:18150/hook?Key=A","events":["digest.sent"]}`); code != http.StatusCreated {
		t.Errorf("create at the path in lower case = %d %v, want 201: the path keeps its case", code, e)
	}

	// The admin's add form goes through the same check.
	form := url.Values{"csrf": {h.a.csrfOf("/admin/webhooks")}, "url": {"HTTP://127.0.0.1:18150/hook"}, "events": {"subscriber.created"}}
	resp, body := h.a.postBody("/admin/webhooks", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Endpoint 1 has this URL already") {
		t.Errorf("the add form at HTTP://127.0.0.1:18150/hook = %d, want 422 naming endpoint 1:\n%s", resp.StatusCode, body)
	}

	// An endpoint stored before the URLs were folded.
	if _, err := h.db.Write.Exec(`INSERT INTO webhook_endpoints (url, description, events, secret, active, created_at, updated_at)
		VALUES ('HTTP://Example.TEST:18150/in', '', '["digest.sent"]', 'whsec_old', 1, ?, ?)`, sqlite.Now(), sqlite.Now()); err != nil {
		t.Fatal(err)
	}
	var old string
	h.db.Read.QueryRow(`SELECT id FROM webhook_endpoints WHERE secret = 'whsec_old'`).Scan(&old)
	code, e = api("POST", "/api/v1/webhooks", `{"url":"http://example.test:18150/in","events":["digest.sent"]}`)
	if fields, _ := e["fields"].(map[string]any); code != http.StatusUnprocessableEntity || !equalJSON(fields, hasIt(old)) {
		t.Errorf("create at the URL of an endpoint stored in capitals = %d %v, want 422 naming endpoint %s", code, e, old)
	}
	if code, e := api("PATCH", "/api/v1/webhooks/"+old, `{"url":"HTTP://Example.TEST:18150/in","description":"kept"}`); code != http.StatusOK || e["url"] != "http://example.test:18150/in" {
		t.Errorf("PATCH of the old endpoint keeping its URL = %d %v, want 200 at http://example.test:18150/in", code, e)
	}
}

// equalJSON says decoded JSON object got holds exactly want.
func equalJSON(got, want map[string]any) bool {
	return jsonString(got) == jsonString(want)
}
