package articles_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// TestDeletedArticleIDNotGivenAgain: the newest article deleted, the next
// one made has an id of its own, so a CMS still holding the deleted one's
// id (GET, PATCH, DELETE /api/v1/articles/{id}) finds nothing to read,
// change or delete instead of the new article.
func TestDeletedArticleIDNotGivenAgain(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	create := func(title, url string) *articles.Article {
		t.Helper()
		lists := []string{"news"}
		a, err := store.Create(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &lists})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	create("Ferry", "https://cms.example.com/ferry")
	old := create("Bridge", "https://cms.example.com/bridge")
	if err := store.Delete(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	next := create("Storm", "https://cms.example.com/storm")
	if next.ID == old.ID {
		t.Fatalf("the article made after deleting article %d has its id again", old.ID)
	}

	if _, err := store.Get(ctx, old.ID); !errors.Is(err, articles.ErrNotFound) {
		t.Errorf("Get of the deleted id: %v, want ErrNotFound", err)
	}
	title := "Changed by a stale PATCH"
	if _, err := store.Update(ctx, old.ID, &articles.Patch{Title: &title}); !errors.Is(err, articles.ErrNotFound) {
		t.Errorf("Update of the deleted id: %v, want ErrNotFound", err)
	}
	if err := store.Delete(ctx, old.ID); !errors.Is(err, articles.ErrNotFound) {
		t.Errorf("Delete of the deleted id: %v, want ErrNotFound", err)
	}
	got, err := store.Get(ctx, next.ID)
	if err != nil {
		t.Fatalf("the new article after the stale calls: %v", err)
	}
	if got.Title != "Storm" {
		t.Errorf("the new article's title = %q after the stale calls, want %q", got.Title, "Storm")
	}
}
