package web

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
)

// A list name holding what a reader's name may not (a line or paragraph
// separator, a direction override) is refused by the API, on POST and
// PATCH, and by the admin's new-list form, naming the name field: it
// shows on the public form, in List-Id and in the text part's footer.
// U+2028 was taken.
func TestListNameRefusesSeparatorsAndOverrides(t *testing.T) {
	_, a, token := fullServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/lists")
	const want = "without control characters, line or paragraph separators or direction overrides"
	for _, name := range []string{"Harbour\u2028News", "Harbour\u2029News", "Harbour \u202eswen"} {
		body, _ := json.Marshal(map[string]string{"name": name, "slug": "harbour"})
		code, got := apiCall(t, a.base, token, "POST", "/api/v1/lists", string(body))
		fields, _ := got["fields"].(map[string]any)
		if msg, _ := fields["name"].(string); code != http.StatusUnprocessableEntity || !strings.Contains(msg, want) {
			t.Errorf("POST a list named %q = %d %v, want 422 naming the name", name, code, got)
		}
		body, _ = json.Marshal(map[string]string{"name": name})
		code, got = apiCall(t, a.base, token, "PATCH", "/api/v1/lists/news", string(body))
		fields, _ = got["fields"].(map[string]any)
		if msg, _ := fields["name"].(string); code != http.StatusUnprocessableEntity || !strings.Contains(msg, want) {
			t.Errorf("PATCH news's name to %q = %d %v, want 422 naming the name", name, code, got)
		}
		resp, page := a.postBody("/admin/lists", newListForm(csrf, name, "harbour", false))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the new-list form named %q = %d, want 422 naming the name:\n%.3000s", name, resp.StatusCode, page)
		}
	}
}
