package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestArticlePostKeepsTheListsAnEditorTookItOff: a CMS posts an article
// again at every save, naming the lists it always names. A POST of a
// stored URL no longer puts the article back on a list an editor took it
// off (a PATCH of its lists, or the admin's form): it used to, and the
// list's next digest mailed it again. A list the post names that the
// article was never taken off is added as before; a PATCH naming the
// list puts the article back, and a post after that keeps it there.
func TestArticlePostKeepsTheListsAnEditorTookItOff(t *testing.T) {
	_, api := newArticleAPI(t)
	status, a := api.call("POST", "/api/v1/articles", `{"title":"Bridge reopens","url":"`+bridgeURL+`","lists":["news"]}`)
	if status != http.StatusCreated || !cmp.Equal(a["lists"], []any{"news"}) {
		t.Fatalf("first POST = %d %v, want 201 on the news", status, a)
	}
	path := fmt.Sprintf("/api/v1/articles/%v", a["id"])
	if status, got := api.call("PATCH", path, `{"lists":[]}`); status != http.StatusOK {
		t.Fatalf("PATCH taking it off the news = %d %v", status, got)
	}

	steps := []struct {
		name, method, path, body string
		want                     []any
	}{
		{"posted again", "POST", "/api/v1/articles", `{"url":"` + bridgeURL + `","title":"Bridge reopens","lists":["news"]}`, []any{}},
		{"posted with a new list", "POST", "/api/v1/articles", `{"url":"` + bridgeURL + `","lists":["news","sport"]}`, []any{"sport"}},
		{"put back by PATCH", "PATCH", path, `{"lists":["news","sport"]}`, []any{"news", "sport"}},
		{"posted again after", "POST", "/api/v1/articles", `{"url":"` + bridgeURL + `","lists":["news"]}`, []any{"news", "sport"}},
	}
	for _, st := range steps {
		status, got := api.call(st.method, st.path, st.body)
		if status != http.StatusOK {
			t.Fatalf("%s: %s = %d %v, want 200", st.name, st.method, status, got)
		}
		if diff := cmp.Diff(st.want, got["lists"]); diff != "" {
			t.Errorf("%s: the answer's lists (-want +got):\n%s", st.name, diff)
		}
		if diff := cmp.Diff(st.want, api.article(bridgeURL)["lists"]); diff != "" {
			t.Errorf("%s: the stored lists (-want +got):\n%s", st.name, diff)
		}
	}
}
