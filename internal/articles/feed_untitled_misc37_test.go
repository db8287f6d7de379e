package articles_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A feed item with no title and no text was titled by its link, so a
// digest showed the link twice, as the story's title and as its link.
// Its title is now the words of the link's last path segment, or the
// link's host when that has none (a number, an id, the host's root).
func TestUntitledTextlessItemIsTitledByItsLinkWords(t *testing.T) {
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quay Notes</title><link>https://quay.example/</link>
<item><link>https://www.quay.example/2026/12/04/bridge-reopens_at-dawn.html</link></item>
<item><link>https://quay.example/news/caf%C3%A9-terrace/</link></item>
<item><link>https://www.quay.example/posts/8814</link></item>
<item><link>https://quay.example/p/a8f3c2e9</link></item>
<item><link>https://quay.example/2026/12/index.php</link></item>
</channel></rss>`
	_, items := pollFeed(t, body)
	for url, want := range map[string]string{
		"https://www.quay.example/2026/12/04/bridge-reopens_at-dawn.html": "Bridge reopens at dawn",
		"https://quay.example/news/caf%C3%A9-terrace/":                    "Café terrace",
		"https://www.quay.example/posts/8814":                             "quay.example",
		"https://quay.example/p/a8f3c2e9":                                 "quay.example",
		"https://quay.example/2026/12/index.php":                          "quay.example",
	} {
		if a := items[url]; a == nil || a.Title != want {
			t.Errorf("article %s: %+v, want the title %q", url, a, want)
		}
	}
}

// A save refused for a URL another article has names that article by its
// title and id, in the url field the API answers with, and gives it to a
// page to link to.
func TestURLConflictNamesTheArticle(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	now := time.Now().UTC()
	bridge, err := store.Create(ctx, &articles.Patch{URL: new("https://news.example/bridge"), Title: new("Bridge reopens"), PublishedAt: &now})
	if err != nil {
		t.Fatal(err)
	}
	ferry, err := store.Create(ctx, &articles.Patch{URL: new("https://news.example/ferry"), Title: new("Ferry times"), PublishedAt: &now})
	if err != nil {
		t.Fatal(err)
	}
	named := "“Bridge reopens” (article " + strconv.FormatInt(bridge.ID, 10) + ") has this URL already"
	for name, save := range map[string]func() error{
		"create": func() error {
			_, err := store.Create(ctx, &articles.Patch{URL: new("https://news.example/bridge"), Title: new("Again"), PublishedAt: &now})
			return err
		},
		"update": func() error {
			_, err := store.Update(ctx, ferry.ID, &articles.Patch{URL: new("https://news.example/bridge")})
			return err
		},
	} {
		err := save()
		var taken *articles.URLConflict
		if !errors.As(err, &taken) || taken.ID != bridge.ID || taken.Title != "Bridge reopens" {
			t.Errorf("%s: %v (%+v), want a URLConflict naming article %d", name, err, taken, bridge.ID)
		}
		if bulletin.ErrorCode(err) != bulletin.ECONFLICT || !strings.HasPrefix(bulletin.ErrorFields(err)["url"], named) {
			t.Errorf("%s: %s %q, want a conflict whose url field starts %q", name, bulletin.ErrorCode(err), bulletin.ErrorFields(err)["url"], named)
		}
	}
}
