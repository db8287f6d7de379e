package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A database from before 066 gets its articles' URLs with the scheme and
// host in lower case, as articles.NormalizeURL stores new ones, so a URL
// posted or polled again in another case finds its article. No row is
// merged or deleted: of URLs that fold to one, the one folded already
// stays, or else the oldest is folded; the others keep their URL. Each
// URL stored before then folds to exactly one stored article. A second
// run changes nothing.
func TestArticleURLHostsFolded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	stored := []struct {
		url, want string
	}{
		{"https://Example.com/Path/A", "https://example.com/Path/A"},
		{"HTTPS://News.Example/x?Q=Yes#Top", "https://news.example/x?Q=Yes#Top"},
		{"http://Bare.EXAMPLE", "http://bare.example"},
		{"https://Query.Example?Q=1", "https://query.example?Q=1"},
		{"https://Frag.Example#Part", "https://frag.example#Part"},
		{"https://User:PassWord@Host.Example:8443/p", "https://User:PassWord@host.example:8443/p"},
		{"https://Mail.Example/@Someone/Post", "https://mail.example/@Someone/Post"},
		{"https://Ünï.Example/Wörd", "https://Ünï.example/Wörd"}, // ASCII letters only, as NormalizeURL
		// Folded already, then the same page stored again with a capital:
		// neither changes.
		{"https://dup.example/a", "https://dup.example/a"},
		{"https://Dup.example/a", "https://Dup.example/a"},
		// Two capitalised copies, none folded: the older is.
		{"https://TWO.example/a", "https://two.example/a"},
		{"https://Two.example/a", "https://Two.example/a"},
		// The path's case tells pages apart.
		{"https://Case.example/A", "https://case.example/A"},
		{"https://case.example/a", "https://case.example/a"},
		// Not http(s) with an authority: left alone.
		{"ftp://Files.Example/X", "ftp://Files.Example/X"},
		{"Example.com/No-Scheme", "Example.com/No-Scheme"},
	}
	db := open(t, path)
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM migrations WHERE name = 'migration/066_article_url_host_case.sql'`); err != nil {
		t.Fatal(err)
	}
	for i, s := range stored {
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO articles (id, url, title, published_at, created_at) VALUES (?, ?, ?, '2026-11-20', '2026-11-20')`,
			i+1, s.url, fmt.Sprint("Story ", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-11-20')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO article_lists (article_id, list_id) SELECT id, 1 FROM articles`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	want := make([]string, len(stored))
	for i, s := range stored {
		want[i] = fmt.Sprintf("%d %s", i+1, s.want)
	}
	for run := 1; run <= 2; run++ {
		db = open(t, path)
		got := column(t, db.Read, `SELECT id || ' ' || url FROM articles ORDER BY id`)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("run %d: articles (-want +got):\n%s", run, diff)
		}
		if got := column(t, db.Read, `SELECT COUNT(*) FROM article_lists`); got[0] != fmt.Sprint(len(stored)) {
			t.Errorf("run %d: %s article links, want %d", run, got[0], len(stored))
		}
		// Go and SQL fold alike: each stored URL, folded, is one article's.
		for _, s := range stored {
			n := column(t, db.Read, fmt.Sprintf(`SELECT COUNT(*) FROM articles WHERE url = '%s'`, articles.NormalizeURL(s.url)))
			if n[0] != "1" {
				t.Errorf("run %d: %s articles have %q, %s folded; want 1", run, n[0], articles.NormalizeURL(s.url), s.url)
			}
		}
		if _, err := db.Write.ExecContext(ctx, `DELETE FROM migrations WHERE name = 'migration/066_article_url_host_case.sql'`); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}
