package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A reader's page saved with another reader's address and a name too
// long names both at once, as does the API's PATCH: the store checks the
// address only once the other fields pass, so the editor who shortened
// the name learnt of the address on the next save.
func TestSubscriberEditNamesTakenAddressWithTheOtherFaults(t *testing.T) {
	e := newAdminSubEnv(t)
	ann := e.addReader("ann@example.com", "daily-news")
	bo := e.addReader("bo@example.com", "daily-news")
	long := strings.Repeat("n", 150)
	page := fmt.Sprintf("/admin/subscribers/%d", ann.ID)
	form := url.Values{"csrf": {e.csrf}, "email": {"Bo@example.com"}, "name": {long}, "status": {"confirmed"}, "frequency": {"daily"}, "list": {"daily-news"}}
	resp, raw := e.a.postBody(page, form)
	body := html.UnescapeString(raw)
	emailError := regexp.MustCompile(`<p class="error" id="email-error">(.*?)</p>`).FindStringSubmatch(body)
	nameError := regexp.MustCompile(`<p class="error" id="name-error">(.*?)</p>`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || emailError == nil || !strings.Contains(emailError[1], "Another subscriber has this address") || nameError == nil {
		t.Errorf("a taken address and a long name = %d, email error %q, name error %q; want both:\n%s", resp.StatusCode, emailError, nameError, body)
	}
	if got := e.byEmail("ann@example.com"); got.Name != "" {
		t.Errorf("the refused save changed Ann: %+v", got)
	}

	w := e.api("PATCH", fmt.Sprintf("/api/v1/subscribers/%d", ann.ID), `{"email":"bo@example.com","name":"`+long+`"}`)
	var got struct {
		Fields map[string]string `json:"fields"`
	}
	json.Unmarshal(w.Body.Bytes(), &got)
	want := fmt.Sprintf("another subscriber has this address: subscriber %d (/api/v1/subscribers/%d)", bo.ID, bo.ID)
	if w.Code != http.StatusUnprocessableEntity || got.Fields["email"] != want || got.Fields["name"] == "" {
		t.Errorf("PATCH with a taken address and a long name = %d %s; want 422 naming both, email %q", w.Code, w.Body, want)
	}
}
