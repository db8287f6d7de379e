package articles_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

func TestArticleURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://Example.com:443/a", "https://example.com/a"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"HTTPS://Example.com:443", "https://example.com"},
		{"https://example.com:/a", "https://example.com/a"},
		{"https://example.com:0443/a", "https://example.com/a"},
		{"http://example.com:080", "http://example.com"},
		{"https://example.com:?q=1", "https://example.com?q=1"},
		// The fragment stays: it may be all that tells two items apart.
		{"https://example.com/a#x", "https://example.com/a#x"},
		{"https://example.com/a#", "https://example.com/a#"},
		{"https://example.com#top", "https://example.com#top"},
		{"https://example.com:443#top", "https://example.com#top"},
		{"https://Example.com:443?q=1#Top", "https://example.com?q=1#Top"},
		{"https://example.com/Path/To?Q=One&b=2#Frag", "https://example.com/Path/To?Q=One&b=2#Frag"},
		{"https://example.com/changes#v1.2:443", "https://example.com/changes#v1.2:443"},
		{"https://user:pw@Example.com:443/a", "https://user:pw@example.com/a"},
		{"https://user@example.com:/a", "https://user@example.com/a"},
		{"https://user:443@example.com/a", "https://user:443@example.com/a"},
		{"https://[FE80::1]:443/a", "https://[fe80::1]/a"},
		{"https://[fe80::443]/a", "https://[fe80::443]/a"},
		{"https://[::1]:/a", "https://[::1]/a"},
		// No host before the port: nothing to drop it from.
		{"https://:443/a", "https://:443/a"},
		{"https://user@:443/a", "https://user@:443/a"},
		{"https://example.com:00/a", "https://example.com:00/a"},
		// Another port, or the other scheme's default, is another server.
		{"https://example.com:80/a", "https://example.com:80/a"},
		{"http://example.com:443/a", "http://example.com:443/a"},
		{"https://example.com:8443/a", "https://example.com:8443/a"},
		{"https://example.com:4430/a", "https://example.com:4430/a"},
		{"https://example.com/a:443", "https://example.com/a:443"},
		{"https://example.com/a?port=:443", "https://example.com/a?port=:443"},
		{"ftp://example.com:21/a#x", "ftp://example.com:21/a#x"},
		{"", ""},
	} {
		if got := articles.ArticleURL(tt.in); got != tt.want {
			t.Errorf("ArticleURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzArticleURL: the form is stable (twice is once), folds the host's
// case as NormalizeURL does, and keeps the fragment as it is.
func FuzzArticleURL(f *testing.F) {
	for _, s := range []string{"https://Example.com:443/A#b", "HTTP://U@H:80/?#", "https://a@B:443@C:443/D", "https://h:443:443", "http://[::1]:080#", "https://\xff:443#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := articles.ArticleURL(s)
		if again := articles.ArticleURL(got); again != got {
			t.Fatalf("ArticleURL(%q) = %q, then %q", s, got, again)
		}
		if articles.ArticleURL(articles.NormalizeURL(s)) != got {
			t.Fatalf("ArticleURL(%q) = %q, but of its folded form %q", s, got, articles.ArticleURL(articles.NormalizeURL(s)))
		}
		if _, frag, ok := strings.Cut(articles.NormalizeURL(s), "#"); ok && !strings.HasSuffix(got, "#"+frag) {
			t.Fatalf("ArticleURL(%q) = %q loses the fragment %q", s, got, frag)
		}
	})
}

// After an editor deletes an article, a post of its URL with the default
// port is the deleted article's URL, refused as the same URL in other
// letter case is: it made a new article (201), so a CMS writing
// :443 brought the deleted story back and mailed it again. That holds
// for an article deleted from a list and for one on none.
func TestPutOfDeletedURLWithPort(t *testing.T) {
	for _, tc := range []struct {
		name  string
		url   string
		lists []string
	}{
		{"https on a list", "https://harbourgazette.example/1", []string{"news"}},
		{"https on no list", "https://harbourgazette.example/2", nil},
		{"http on a list", "http://harbourgazette.example/3", []string{"news"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			ctx := context.Background()
			title := "Harbour story"
			p := &articles.Patch{Title: &title, URL: &tc.url}
			if tc.lists != nil {
				p.Lists = &tc.lists
			}
			a, _, err := store.Put(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.Delete(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			port := ":443"
			if strings.HasPrefix(tc.url, "http:") {
				port = ":80"
			}
			host := "harbourgazette.example"
			for _, again := range []string{
				strings.ToUpper(tc.url[:8]) + tc.url[8:], // the case that already worked
				strings.Replace(tc.url, host, host+port, 1),
				strings.Replace(tc.url, host, "HarbourGazette.example"+port, 1),
				strings.Replace(tc.url, host, host+":0"+port[1:], 1),
				strings.Replace(tc.url, host, host+":", 1),
			} {
				q := &articles.Patch{Title: &title, URL: &again}
				if tc.lists != nil {
					q.Lists = &tc.lists
				}
				b, created, err := store.Put(ctx, q)
				if bulletin.ErrorCode(err) != bulletin.ECONFLICT || created {
					t.Errorf("Put %s after the delete of %s = %+v (created %v), %v; want a conflict", again, tc.url, b, created, err)
				}
			}
			var n int
			if err := db.Read.QueryRow(`SELECT COUNT(*) FROM articles`).Scan(&n); err != nil || n != 0 {
				t.Errorf("articles after the refused posts = %d (%v), want 0", n, err)
			}
		})
	}
}

// A URL with the default port is the article without it, through a post
// (Put), a feed's Save, an editor's new article (Create, a conflict) and
// an edit (Update, a conflict with another article's); the article is
// stored without it.
func TestArticleURLPortIsOneArticle(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	title, url := "First", "https://news.example:443/a"
	first, created, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &[]string{"news"}})
	if err != nil || !created || first.URL != "https://news.example/a" {
		t.Fatalf("first Put = %+v (created %v), %v; want https://news.example/a created", first, created, err)
	}
	for _, u := range []string{"https://news.example/a", "https://news.example:443/a", "https://NEWS.example:/a", "HTTPS://news.example:0443/a"} {
		u := u
		a, created, err := store.Put(ctx, &articles.Patch{URL: &u})
		if err != nil || created || a.ID != first.ID {
			t.Errorf("Put %s = %+v (created %v), %v; want article %d", u, a, created, err, first.ID)
		}
	}
	saved := &articles.Article{Title: "From the feed", URL: "https://news.example:443/a", Lists: []string{"news"}}
	if created, err := store.Save(ctx, saved); err != nil || created || saved.ID != first.ID {
		t.Errorf("Save = article %d (created %v, %v), want article %d", saved.ID, created, err, first.ID)
	}
	copyURL := "https://News.example:443/a"
	if _, err := store.Create(ctx, &articles.Patch{Title: &title, URL: &copyURL}); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("Create of the stored URL with its port: %v, want a conflict", err)
	}
	otherURL, otherTitle := "https://news.example/b", "Other"
	other, _, err := store.Put(ctx, &articles.Patch{Title: &otherTitle, URL: &otherURL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Update(ctx, other.ID, &articles.Patch{URL: &copyURL}); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("Update to another article's URL with its port: %v, want a conflict", err)
	}
	moved := "https://news.example:443/c#x"
	if a, err := store.Update(ctx, other.ID, &articles.Patch{URL: &moved}); err != nil || a.URL != "https://news.example/c#x" {
		t.Errorf("Update to a new URL = %+v, %v; want it stored as https://news.example/c#x", a, err)
	}
	// Another port is another server.
	elsewhere := "https://news.example:8443/a"
	if a, created, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &elsewhere}); err != nil || !created || a.URL != elsewhere {
		t.Errorf("Put %s = %+v (created %v), %v; want a new article", elsewhere, a, created, err)
	}
}

// A feed item whose link has the default port is the stored article
// without it, and an item of a deleted article stays deleted however its
// link writes the port: the item is known by its link (it has no guid),
// and the list's record of the deleted URL is the URL without it. Items
// whose links differ only by their fragment (a changelog's entries) stay
// two articles.
func TestFeedItemURLPortIsStoredArticle(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	lists := []string{"news"}
	title, url := "Bridge reopens", "https://news.example/bridge"
	stored, _, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &lists})
	if err != nil {
		t.Fatal(err)
	}
	goneTitle, goneURL := "Quay shut", "https://news.example/quay"
	gone, _, err := store.Put(ctx, &articles.Patch{Title: &goneTitle, URL: &goneURL, Lists: &lists})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	srv, _, _ := feedServer(t, `<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title><link>https://news.example/</link>
<item><title>Bridge reopens at last</title><link>https://news.example:443/bridge</link></item>
<item><title>Quay shut</title><link>https://NEWS.example:443/quay</link></item>
<item><title>Version 1.2</title><link>https://news.example:443/changes#v1.2</link></item>
<item><title>Version 1.3</title><link>https://news.example/changes#v1.3</link></item>
</channel></rss>`)
	fd, _, err := articles.NewFeeds(db, store, true).Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil || fd.LastError != "" {
		t.Fatalf("Add = %+v, %v", fd, err)
	}
	items, _, err := store.List(ctx, articles.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string]*articles.Article{}
	for _, a := range items {
		byURL[a.URL] = a
	}
	if len(items) != 3 || byURL[url] == nil || byURL[url].ID != stored.ID || byURL[url].Title != "Bridge reopens at last" ||
		byURL["https://news.example/changes#v1.2"] == nil || byURL["https://news.example/changes#v1.3"] == nil {
		t.Errorf("articles after the poll = %+v, want article %d updated from the feed and the two changelog entries", items, stored.ID)
	}
	var keys []string
	rows, err := db.Read.Query(`SELECT item_id FROM feed_items WHERE feed_id = ? ORDER BY item_id`, fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if strings.Join(keys, " ") != "https://news.example/bridge https://news.example/changes#v1.2 https://news.example/changes#v1.3 https://news.example/quay" {
		t.Errorf("the feed's items are known by %q, want the links without the port", keys)
	}
}

// Two URLs that differ only by their fragment are two articles: a
// changelog's /changes#v1.2 and /changes#v1.3 are two items, and one
// deleted leaves the other to be posted.
func TestArticleURLFragmentTellsArticlesApart(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	lists := []string{"news"}
	title, v12, v13 := "Changes", "https://news.example:443/changes#v1.2", "https://news.example/changes#v1.3"
	a, created, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &v12, Lists: &lists})
	if err != nil || !created || a.URL != "https://news.example/changes#v1.2" {
		t.Fatalf("Put %s = %+v (created %v), %v; want it created without the port", v12, a, created, err)
	}
	b, created, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &v13, Lists: &lists})
	if err != nil || !created || b.ID == a.ID || b.URL != v13 {
		t.Fatalf("Put %s = %+v (created %v), %v; want a second article", v13, b, created, err)
	}
	if err := store.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, created, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &v12, Lists: &lists}); bulletin.ErrorCode(err) != bulletin.ECONFLICT || created {
		t.Errorf("Put %s after its delete: created %v, %v; want a conflict", v12, created, err)
	}
	if c, created, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &v13, Lists: &lists}); err != nil || created || c.ID != b.ID {
		t.Errorf("Put %s after the delete of %s = %+v (created %v), %v; want article %d", v13, v12, c, created, err, b.ID)
	}
}
