package web

import (
	"net/http"
	"testing"
)

// An admin page has one address: /admin/campaigns/01 or
// /admin/subscribers/+1 used to show campaign or reader 1 (and a form
// posted there acted on them). They are 404s, as the API's ids and a
// webhook's are; the ids as the admin links them still work.
func TestAdminPagesReadIDsAsWritten(t *testing.T) {
	e := newCampaignFeedbackEnv(t)
	e.seedEvents()
	e.a.loginAs("editor@example.com", "correct horse battery")
	for _, path := range []string{"/admin/campaigns/1", "/admin/subscribers/1"} {
		if resp, _ := e.a.get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/admin/campaigns/01", "/admin/campaigns/+1",
		"/admin/campaigns/01/edit", "/admin/campaigns/01/delete", "/admin/subscribers/01", "/admin/subscribers/+1",
		"/admin/subscribers/%201"} {
		if resp, _ := e.a.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}
