package seeds_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/seeds"
	"github.com/bulletinhq/bulletin/subscribers"
)

func loader(t *testing.T) *seeds.Loader {
	t.Helper()
	db := sqlitetest.Open(t)
	return &seeds.Loader{Subscribers: subscribers.NewStore(db), Articles: articles.NewStore(db)}
}

func TestEmbeddedSeedsLoadOnce(t *testing.T) {
	l := loader(t)
	ctx := context.Background()
	first, err := l.Load(ctx, seeds.FS())
	if err != nil {
		t.Fatal(err)
	}
	if first.Lists < 2 || first.Articles < 10 || first.Subscribers != 20 || first.Kept.Total() != 0 {
		t.Errorf("first load = %+v, want ≥2 lists, ≥10 articles, 20 subscribers, nothing there already", first)
	}
	again, err := l.Load(ctx, seeds.FS())
	if want := (seeds.Report{Kept: seeds.Kept{Lists: first.Lists, Articles: first.Articles, Subscribers: first.Subscribers}}); err != nil || again != want {
		t.Errorf("second load = %+v, %v; want nothing added and %+v", again, err, want)
	}
	items, _, err := l.Articles.List(ctx, articles.Filter{Limit: 100})
	if err != nil || len(items) != first.Articles {
		t.Fatalf("articles stored = %d, %v", len(items), err)
	}
	for _, a := range items {
		if a.Title == "" || a.Summary == "" || a.Author == "" || len(a.Body) < 400 || len(a.Lists) == 0 {
			t.Errorf("article %q is incomplete", a.URL)
		}
	}
}

func TestParseArticleRejectsBadFiles(t *testing.T) {
	cases := map[string]string{
		"no header":       "title: x\n",
		"unclosed header": "---\ntitle: x\n",
		"not key: value":  "---\njust words\n---\nbody",
		"unknown key":     "---\ncolour: blue\n---\nbody",
		"bad date":        "---\npublished_at: yesterday\n---\nbody",
	}
	for name, text := range cases {
		if _, err := seeds.ParseArticle([]byte(text)); err == nil {
			t.Errorf("%s: ParseArticle accepted %q", name, text)
		}
	}
	a, err := seeds.ParseArticle([]byte("---\ntitle: T\nurl: https://example.com/t\nlists: a, b\npublished_at: 2026-11-20T08:30:00Z\n---\n\nFirst.\n\nSecond.\n"))
	if err != nil || a.Title != "T" || strings.Join(a.Lists, "|") != "a|b" || a.Body != "First.\n\nSecond." {
		t.Errorf("ParseArticle = %+v, %v", a, err)
	}
}

// A folder with a broken subscribers file fails with the line that is bad.
func TestLoadNamesTheBadLine(t *testing.T) {
	fsys := fstest.MapFS{
		"lists.json":      {Data: []byte(`[{"slug":"news","name":"News","digest":"daily","digest_hour":7}]`)},
		"subscribers.csv": {Data: []byte("email,name,lists,status\na@example.com,A,news,confirmed\nb@example.com,B,nope,confirmed\n")},
	}
	_, err := loader(t).Load(context.Background(), fsys)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("Load = %v, want an error naming line 3", err)
	}
}
