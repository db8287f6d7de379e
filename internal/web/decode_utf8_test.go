package web

import (
	"net/http"
	"strings"
	"testing"
)

// A body that is not UTF-8, or a name that came in as U+FFFD (a JSON
// escape of half a surrogate pair), is refused: the decoder would put
// "�" in its place, and "�" would be stored and mailed as the name.
func TestGarbledTextIsRefused(t *testing.T) {
	a, token, _ := jsonServer(t)
	code, got := apiCall(t, a.base, token, "POST", "/api/v1/lists", "{\"slug\":\"sport\",\"name\":\"Sp\xffrt\"}")
	if msg, _ := got["message"].(string); code != http.StatusBadRequest || !strings.Contains(msg, "not UTF-8") {
		t.Errorf("a body that is not UTF-8: %d %v, want 400 saying so", code, got)
	}
	for _, tt := range []struct{ path, body, field string }{
		{"/api/v1/lists", `{"slug":"sport","name":"Sp\ud800rt"}`, "name"},
		{"/api/v1/subscribers", `{"email":"gus@example.com","name":"A\ud800B","lists":["news"]}`, "name"},
	} {
		code, got := apiCall(t, a.base, token, "POST", tt.path, tt.body)
		if why := fieldsOf(got)[tt.field]; code != http.StatusUnprocessableEntity || !strings.Contains(why, "garbled") {
			t.Errorf("POST %s %s: %d %v, want 422 on %s saying it arrived garbled", tt.path, tt.body, code, got, tt.field)
		}
	}
	if code, _ := apiCall(t, a.base, token, "POST", "/api/v1/lists", `{"slug":"sport","name":"Zoë's \ud83d\udcf0 news"}`); code != http.StatusCreated {
		t.Errorf("a name with a whole surrogate pair (an emoji): %d, want 201", code)
	}
}
