package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestArticleLongURLSaysTheLimit: an article URL over 2000 characters is
// refused with the limit and its length, not as a URL that is not
// absolute; one of 2000 is taken, the limit counting characters as the
// document's maxLength does; a URL that is not absolute is still told
// so.
func TestArticleLongURLSaysTheLimit(t *testing.T) {
	_, api := newArticleAPI(t)
	base := "https://news.example/"
	for _, tc := range []struct {
		url  string
		want string // the url field's reason; "" for taken
	}{
		{base + strings.Repeat("a", 2000-len(base)), ""},
		{base + strings.Repeat("é", 2000-len(base)), ""},
		{base + strings.Repeat("a", 2001-len(base)), "keep the URL to at most 2000 characters: this one has 2001"},
		{base + strings.Repeat("a", 5000), "keep the URL to at most 2000 characters: this one has 5021"},
		{"news.example/bridge", "give an absolute http or https URL"},
	} {
		status, got := api.call("POST", "/api/v1/articles", fmt.Sprintf(`{"title":"Long","url":%q}`, tc.url))
		fields, _ := got["fields"].(map[string]any)
		if tc.want == "" {
			if status != http.StatusCreated {
				t.Errorf("POST of a URL of %d characters = %d %v, want 201", len([]rune(tc.url)), status, got)
			}
			continue
		}
		if diff := cmp.Diff(tc.want, fmt.Sprint(fields["url"])); status != http.StatusUnprocessableEntity || diff != "" {
			t.Errorf("POST of a URL of %d characters = %d, want 422 (-want +got url):\n%s", len([]rune(tc.url)), status, diff)
		}
	}
	schema := loadOpenAPI(t).Components.Schemas["ArticleInput"].Value.Properties["url"].Value
	if schema.MaxLength == nil || *schema.MaxLength != 2000 {
		t.Errorf("ArticleInput.url's maxLength = %v, want 2000", schema.MaxLength)
	}
}
