package articles_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// TestPutOfDeletedURL: a post (Put) of the URL of an article deleted from
// a list stores nothing and is a conflict, and starts the month its list
// remembers the URL again, as a feed listing the story does: a CMS that
// posts the URL at every save keeps it deleted past that month. Create,
// an editor's new article, brings it back.
func TestPutOfDeletedURL(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	title, url, lists := "Race", "https://cms.example.com/race", []string{"news"}
	a, _, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &lists})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-40 * 24 * time.Hour).UTC()
	if _, err := db.Write.Exec(`UPDATE deleted_feed_items SET seen_at = ? WHERE item_id = ?`, old, url); err != nil {
		t.Fatal(err)
	}

	again := "HTTPS://CMS.Example.com/race"
	_, _, err = store.Put(ctx, &articles.Patch{Title: &title, URL: &again, Lists: &lists})
	if bulletin.ErrorCode(err) != bulletin.ECONFLICT || bulletin.ErrorFields(err)["url"] == "" {
		t.Fatalf("Put of the deleted URL: %v, want a conflict naming url", err)
	}
	var n int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM articles`).Scan(&n); err != nil || n != 0 {
		t.Errorf("articles after the refused Put = %d (%v), want 0", n, err)
	}
	var seen time.Time
	if err := db.Read.QueryRow(`SELECT seen_at FROM deleted_feed_items WHERE item_id = ? AND feed_url = ''`, url).Scan(&seen); err != nil {
		t.Fatal(err)
	}
	if time.Since(seen) > time.Minute {
		t.Errorf("the deleted URL's row was seen at %v after the Put, want now", seen)
	}

	if _, err := store.Create(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &lists}); err != nil {
		t.Errorf("Create of the deleted URL: %v, want it brought back", err)
	}
}
