package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A database from before 065 gets the size columns of article images,
// its articles kept with their size unknown (0 by 0), and a new article
// may be given one.
func TestArticleImageSizeColumnsAdded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	for _, q := range []string{
		`ALTER TABLE articles DROP COLUMN image_width`,
		`ALTER TABLE articles DROP COLUMN image_height`,
		`DELETE FROM migrations WHERE name = 'migration/065_article_image_size.sql'`,
		`INSERT INTO articles (id, url, title, image_url, image_alt, published_at, created_at) VALUES
			(1, 'https://news.example/bridge', 'Bridge reopens', 'https://img.news.example/bridge.jpg', 'The bridge', '2026-11-20', '2026-11-20'),
			(2, 'https://news.example/storm', 'Storm warning', '', '', '2026-11-21', '2026-11-21')`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO articles (id, url, title, image_url, image_width, image_height, published_at, created_at)
		VALUES (3, 'https://news.example/gulls', 'Gulls', 'https://img.news.example/gulls.png', 1200, 800, '2026-11-22', '2026-11-22')`); err != nil {
		t.Fatal(err)
	}
	got := column(t, db.Read, `SELECT id || ' ' || image_url || ' ' || image_width || 'x' || image_height FROM articles ORDER BY id`)
	want := []string{"1 https://img.news.example/bridge.jpg 0x0", "2  0x0", "3 https://img.news.example/gulls.png 1200x800"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("articles after the migration (-want +got):\n%s", diff)
	}
	// NOT NULL: an unknown size is 0, never NULL.
	if _, err := db.Write.ExecContext(ctx, `UPDATE articles SET image_width = NULL WHERE id = 1`); err == nil {
		t.Error("image_width took NULL")
	}
}
