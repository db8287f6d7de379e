package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The add form sent a second time (a double click, or Back and send
// again) makes no second endpoint at the URL: the page says which
// endpoint has it and keeps what was typed.
func TestAddHookFormSentTwiceMakesOneEndpoint(t *testing.T) {
	h := newHookAdmin(t)
	a := h.a
	form := url.Values{"csrf": {a.csrfOf("/admin/webhooks")}, "url": {"http://127.0.0.1:9/in"},
		"description": {"CRM sync"}, "events": {"subscriber.created"}}
	if resp, body := a.postBody("/admin/webhooks", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first POST = %d, want 303:\n%s", resp.StatusCode, body)
	}
	resp, body := a.postBody("/admin/webhooks", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("second POST = %d, want 422", resp.StatusCode)
	}
	eps, err := h.store.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 1 {
		t.Fatalf("%d endpoints after the form was sent twice, want 1", len(eps))
	}
	for _, want := range []string{"Endpoint 1 has this URL already", "change that endpoint", `value="CRM sync"`} {
		if !strings.Contains(body, want) {
			t.Errorf("second POST's page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "whsec_") {
		t.Error("the refused form's page shows a secret")
	}
}
