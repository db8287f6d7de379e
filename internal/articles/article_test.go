package articles_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// TestArticleTitleOnOneLine: a title with a line break is a field error,
// through the API's Put as through Validate, rather than a title that
// splits over two lines in a digest's text part. Spaces around it are
// trimmed as before.
func TestArticleTitleOnOneLine(t *testing.T) {
	_, store := newFeedEnv(t)
	for _, tt := range []struct{ title, want string }{
		{"  Bridge reopens\t after repairs ", ""},
		{"Bridge reopens\r\nafter repairs", "keep the title to one line"},
		{"Bridge reopens\nafter repairs", "keep the title to one line"},
		{"Bridge reopens\rafter repairs", "keep the title to one line"},
		{"Bridge reopens\u2028after repairs", "keep the title to one line"},
		{"Bridge reopens\n", ""},
	} {
		a := &articles.Article{Title: tt.title, URL: "https://news.example/bridge"}
		if diff := cmp.Diff(tt.want, bulletin.ErrorFields(a.Validate())["title"]); diff != "" {
			t.Errorf("Validate, title %q (-want +got):\n%s", tt.title, diff)
		}
		title, url := tt.title, "https://news.example/bridge"
		_, _, err := store.Put(context.Background(), &articles.Patch{Title: &title, URL: &url})
		if diff := cmp.Diff(tt.want, bulletin.ErrorFields(err)["title"]); diff != "" {
			t.Errorf("Put, title %q (-want +got):\n%s (%v)", tt.title, diff, err)
		}
	}
}
