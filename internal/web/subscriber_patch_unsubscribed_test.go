package web

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// A PATCH of lists for an unsubscribed reader is refused with a 422 that
// says to set the status, and changes nothing; the same lists with a new
// status in the same PATCH are applied with it. An unsubscribed reader is
// on no list, so lists given with that status would otherwise be dropped
// behind a 200.
func TestPatchListsOfUnsubscribedIsNotSilentlyDropped(t *testing.T) {
	_, a, token := fullServer(t)
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/lists", `{"slug":"sport","name":"Sport"}`); code != http.StatusCreated {
		t.Fatalf("create list = %d %v", code, got)
	}
	if code, got := apiCall(t, a.base, token, "PATCH", "/api/v1/subscribers/1", `{"status":"unsubscribed"}`); code != http.StatusOK {
		t.Fatalf("unsubscribe = %d %v", code, got)
	}
	_, before := apiCall(t, a.base, token, "GET", "/api/v1/subscribers/1", "")
	_, exportBefore := apiCall(t, a.base, token, "GET", "/api/v1/subscribers/1/export", "")

	for _, body := range []string{`{"lists":["news","sport"]}`, `{"name":"Ada L.","lists":["sport"]}`, `{"status":"unsubscribed","lists":["news"]}`} {
		code, got := apiCall(t, a.base, token, "PATCH", "/api/v1/subscribers/1", body)
		fields, _ := got["fields"].(map[string]any)
		why, _ := fields["lists"].(string)
		if code != http.StatusUnprocessableEntity || !strings.Contains(why, `"status"`) {
			t.Errorf("PATCH %s of an unsubscribed reader = %d %v; want 422 saying to set the status", body, code, got)
		}
	}
	_, after := apiCall(t, a.base, token, "GET", "/api/v1/subscribers/1", "")
	_, exportAfter := apiCall(t, a.base, token, "GET", "/api/v1/subscribers/1/export", "")
	if !reflect.DeepEqual(before, after) || !reflect.DeepEqual(exportBefore["subscriptions"], exportAfter["subscriptions"]) {
		t.Errorf("a refused PATCH changed the reader:\nbefore %v\nafter  %v", before, after)
	}

	code, got := apiCall(t, a.base, token, "PATCH", "/api/v1/subscribers/1", `{"status":"confirmed","lists":["news","sport"]}`)
	if code != http.StatusOK || got["status"] != "confirmed" || !reflect.DeepEqual(got["lists"], []any{"news", "sport"}) {
		t.Errorf("PATCH status and lists together = %d %v; want 200, confirmed, on news and sport", code, got)
	}
}
