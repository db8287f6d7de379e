package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Disabling a failing endpoint keeps its failure record, through the API
// and the admin's Disable button: only "active":true clears it, as the
// document says. A disable set failing_since back to null, so the endpoint
// read as one that had answered 2xx.
func TestHookDisableKeepsTheFailureRecord(t *testing.T) {
	h := newHookAdmin(t)
	token, err := h.s.Admins.CreateToken(t.Context(), "test")
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	for _, by := range []string{"API", "admin"} {
		code, e := apiCall(t, h.a.base, token, "POST", "/api/v1/webhooks", `{"url":"http://127.0.0.1:18150/`+by+`","events":["subscriber.created"]}`)
		if code != http.StatusCreated {
			t.Fatalf("create = %d %v", code, e)
		}
		id := jsonNumber(e["id"])
		if _, err := h.db.Write.Exec(`UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?`, since, id); err != nil {
			t.Fatal(err)
		}
		if by == "API" {
			code, e = apiCall(t, h.a.base, token, "PATCH", "/api/v1/webhooks/"+id, `{"active":false}`)
			if code != http.StatusOK || e["active"] != false {
				t.Fatalf("disable = %d %v", code, e)
			}
		} else {
			checkFlashRedirect(t, "disable", h.a.post("/admin/webhooks/"+id+"/disable", url.Values{"csrf": {h.a.csrfOf("/admin/webhooks")}}),
				"/admin/webhooks/"+id, "hook-disabled")
		}
		_, e = apiCall(t, h.a.base, token, "GET", "/api/v1/webhooks/"+id, "")
		if e["active"] != false || e["failing_since"] != since.Format(time.RFC3339) {
			t.Errorf("after the %s's disable the endpoint is %v, want it inactive, failing since %s", by, e, since.Format(time.RFC3339))
		}
		code, e = apiCall(t, h.a.base, token, "PATCH", "/api/v1/webhooks/"+id, `{"active":true}`)
		if code != http.StatusOK || e["active"] != true || e["failing_since"] != nil {
			t.Errorf("enable = %d %v, want it active with failing_since null", code, e)
		}
	}
}
