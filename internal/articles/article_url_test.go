package articles_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

func TestNormalizeURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://Example.com/a", "https://example.com/a"},
		{"HTTPS://EXAMPLE.COM/Path/To?Q=One#Frag", "https://example.com/Path/To?Q=One#Frag"},
		{"http://Bare.Example", "http://bare.example"},
		{"http://Port.Example:8080", "http://port.example:8080"},
		{"https://Query.Example?Next=/A", "https://query.example?Next=/A"},
		{"https://Frag.Example#A/B", "https://frag.example#A/B"},
		{"https://User:Pass@Host.Example/P", "https://User:Pass@host.example/P"},
		{"https://Mail.Example/@Someone", "https://mail.example/@Someone"},
		{"https://[FE80::1]/A", "https://[fe80::1]/A"},
		{"https://Ünï.Example/Ä", "https://Ünï.example/Ä"},
		{"ftp://Files.Example/X", "ftp://Files.Example/X"},
		{"Example.com/a", "Example.com/a"},
		{"", ""},
	} {
		if got := articles.NormalizeURL(tt.in); got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzNormalizeURL: folding changes only the case of ASCII letters, and
// folding twice is folding once.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"https://Example.com/A", "HTTP://U@H:1/?#", "https://a@B@C/D", "https://\xff\xfeX/Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := articles.NormalizeURL(s)
		if len(got) != len(s) {
			t.Fatalf("NormalizeURL(%q) = %q: its length changed", s, got)
		}
		for i := range len(s) {
			if c := s[i]; got[i] != c && !('A' <= c && c <= 'Z' && got[i] == c+'a'-'A') {
				t.Fatalf("NormalizeURL(%q) = %q: byte %d changed", s, got, i)
			}
		}
		if again := articles.NormalizeURL(got); again != got {
			t.Fatalf("NormalizeURL(%q) = %q, then %q", s, got, again)
		}
	})
}

// The same URL with its scheme or host in another case is one article,
// through the API's Put as through a feed's Save; a path in another case
// is another page.
func TestArticleURLHostCaseIsOneArticle(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	put := func(url, title string) (*articles.Article, bool) {
		t.Helper()
		a, created, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &[]string{"news"}})
		if err != nil {
			t.Fatalf("Put %s: %v", url, err)
		}
		return a, created
	}
	first, created := put("https://Example.com/a", "First")
	if !created || first.URL != "https://example.com/a" {
		t.Fatalf("first Put = %q (created %v), want https://example.com/a created", first.URL, created)
	}
	for _, url := range []string{"https://example.com/a", "HTTPS://EXAMPLE.COM/a", " https://eXample.Com/a "} {
		if a, created := put(url, "Again"); created || a.ID != first.ID {
			t.Errorf("Put %q = article %d (created %v), want article %d", url, a.ID, created, first.ID)
		}
	}
	saved := &articles.Article{Title: "From the feed", URL: "https://EXAMPLE.com/a", Lists: []string{"news"}}
	if created, err := store.Save(ctx, saved); err != nil || created || saved.ID != first.ID {
		t.Errorf("Save = article %d (created %v, %v), want article %d", saved.ID, created, err, first.ID)
	}
	if other, created := put("https://example.com/A", "Other page"); !created || other.ID == first.ID {
		t.Errorf("Put of the path in capitals = article %d (created %v), want a new article", other.ID, created)
	}
	items, _, err := store.List(ctx, articles.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, a := range items {
		urls = append(urls, a.URL)
	}
	if diff := cmp.Diff([]string{"https://example.com/a", "https://example.com/A"}, urls); diff != "" {
		t.Errorf("stored URLs (-want +got):\n%s", diff)
	}

	// Create and Update find another article's URL in any host case.
	url, title := "https://EXAMPLE.COM/a", "Copy"
	if _, err := store.Create(ctx, &articles.Patch{Title: &title, URL: &url}); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("Create of a stored URL in capitals: %v, want a conflict", err)
	}
	other := items[1]
	if _, err := store.Update(ctx, other.ID, &articles.Patch{URL: &url}); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("Update to another article's URL in capitals: %v, want a conflict", err)
	}
}

// A duplicate stored before URLs were folded, which migration 066 leaves
// as it was beside its folded twin, can still be edited, the admin form's
// URL field (posted as it is) included: it keeps its URL.
func TestArticleDuplicateFromBeforeFoldingEditable(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	if _, err := db.Write.Exec(`INSERT INTO articles (id, url, title, published_at, created_at) VALUES
		(1, 'https://dup.example/a', 'Folded', '2026-11-20', '2026-11-20'),
		(2, 'https://Dup.example/a', 'Left as it was', '2026-11-20', '2026-11-20')`); err != nil {
		t.Fatal(err)
	}
	title, url := "Edited", "https://Dup.example/a"
	for _, p := range []*articles.Patch{{Title: &title}, {Title: &title, URL: &url}} {
		a, err := store.Update(ctx, 2, p)
		if err != nil || a.URL != "https://Dup.example/a" || a.Title != "Edited" {
			t.Errorf("Update of the duplicate = %+v, %v; want it edited, its URL kept", a, err)
		}
	}
	// Put goes to the folded one.
	if a, created, err := store.Put(ctx, &articles.Patch{URL: &url}); err != nil || created || a.ID != 1 {
		t.Errorf("Put %s = %+v (created %v), %v; want article 1", url, a, created, err)
	}
}

// A feed whose item links to a stored article with its host in capitals
// updates that article instead of adding a second one.
func TestFeedItemURLHostCaseIsStoredArticle(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	title, url := "Bridge reopens", "https://news.example/bridge"
	stored, _, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url})
	if err != nil {
		t.Fatal(err)
	}
	srv, _, _ := feedServer(t, `<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title><link>https://news.example/</link>
<item><title>Bridge reopens at last</title><link>HTTPS://NEWS.Example/bridge</link></item>
</channel></rss>`)
	fd, _, err := articles.NewFeeds(db, store, true).Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil || fd.LastError != "" {
		t.Fatalf("Add = %+v, %v", fd, err)
	}
	items, _, err := store.List(ctx, articles.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != stored.ID || items[0].Title != "Bridge reopens at last" || items[0].URL != url {
		t.Errorf("articles after the poll = %+v, want article %d updated from the feed", items, stored.ID)
	}
}
