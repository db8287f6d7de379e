package articles_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// An article an editor changed in Bulletin keeps the editor's text when its
// feed is polled again with the old one; the feed still adds it to lists.
// An article nobody edited follows its feed.
func TestFeedKeepsAnEditorsChanges(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('desk', 'Desk', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	fromFeed := func(url, title string, lists ...string) *articles.Article {
		t.Helper()
		a := &articles.Article{URL: url, Title: title, Summary: "From the feed.", Author: "Desk", Lists: lists}
		if _, err := store.Save(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	edited := fromFeed("https://news.example/bridge", "Brigde reopens", "news")
	fromFeed("https://news.example/storm", "Storm warnng", "news")
	title, summary := "Bridge reopens", "The bridge is open again, two weeks early."
	if _, err := store.Update(ctx, edited.ID, &articles.Patch{Title: &title, Summary: &summary}); err != nil {
		t.Fatal(err)
	}

	got := fromFeed("https://news.example/bridge", "Brigde reopens", "desk")
	type row struct {
		Title, Summary string
		Lists          []string
	}
	if diff := cmp.Diff(row{title, summary, []string{"desk", "news"}}, row{got.Title, got.Summary, got.Lists}); diff != "" {
		t.Errorf("edited article after a poll (-want +got):\n%s", diff)
	}
	if got := fromFeed("https://news.example/storm", "Storm warning", "news"); got.Title != "Storm warning" {
		t.Errorf("unedited article's title %q after a poll, want the feed's", got.Title)
	}
}
