package articles_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A poll that leaves items out says so in the feed's status, with why:
// the reviewer's Atom feed of four entries (a good link, a javascript:
// link, no link, a relative link) answered "200 OK" with the two bad
// entries dropped without a word.
func TestFeedStatusNotesSkippedItems(t *testing.T) {
	entry := func(title, link string) string {
		if link != "" {
			link = `<link href="` + link + `"/>`
		}
		return `<entry><title>` + title + `</title><id>urn:x:` + title + `</id>` + link + `<updated>2026-11-20T07:00:00Z</updated></entry>`
	}
	atom := func(entries ...string) string {
		return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Gazette</title><id>urn:x</id><updated>2026-11-20T07:00:00Z</updated>
` + strings.Join(entries, "\n") + `</feed>`
	}
	tests := []struct {
		name, body, wantStatus string
		wantPaths              []string // of the articles stored, on the feed's server unless absolute
	}{
		{"good, javascript:, none, relative",
			atom(entry("Good", "https://news.example/good"), entry("Script", "javascript:alert(1)"), entry("None", ""), entry("Rel", "/posts/rel")),
			"200 OK; 2 items skipped: 1 link not http(s), 1 no link",
			[]string{"https://news.example/good", "/posts/rel"}},
		{"one reason twice",
			atom(entry("Good", "https://news.example/good"), entry("Mail", "mailto:desk@news.example"), entry("Data", "data:text/html,hi")),
			"200 OK; 2 items skipped: link not http(s)",
			[]string{"https://news.example/good"}},
		{"one item without a link", rss, "200 OK; 1 item skipped: no link",
			[]string{"https://news.example/bridge", "https://news.example/storm"}},
		{"a link Save refuses", atom(entry("Long", "https://news.example/"+strings.Repeat("x", 2100)), entry("Good", "https://news.example/good")),
			"200 OK; 1 item skipped: invalid url",
			[]string{"https://news.example/good"}},
		{"nothing skipped", atom(entry("Good", "https://news.example/good")), "200 OK",
			[]string{"https://news.example/good"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			ctx := context.Background()
			srv, _, _ := feedServer(t, tt.body)
			feeds := articles.NewFeeds(db, store, true)
			fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := feeds.Get(ctx, fd.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fd.LastStatus != tt.wantStatus || stored.LastStatus != tt.wantStatus || stored.LastError != "" {
				t.Errorf("status answered %q, stored %q (error %q); want %q and no error", fd.LastStatus, stored.LastStatus, stored.LastError, tt.wantStatus)
			}
			if fd.Added != len(tt.wantPaths) || stored.Items != len(tt.wantPaths) {
				t.Errorf("added %d, items %d; want %d", fd.Added, stored.Items, len(tt.wantPaths))
			}
			items, _, err := store.List(ctx, articles.Filter{List: "news"})
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, a := range items {
				got = append(got, a.URL)
			}
			for _, p := range tt.wantPaths {
				if strings.HasPrefix(p, "/") {
					p = srv.URL + p
				}
				want = append(want, p)
			}
			slices.Sort(got)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("articles stored (-want +got):\n%s", diff)
			}
		})
	}
}
