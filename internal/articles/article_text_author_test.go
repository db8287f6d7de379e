package articles_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// An article's author and image alt text posted as HTML were stored with
// their tags, {"author":"<b>Ann</b>"} shown as "<b>Ann</b>" in the admin
// and in digests, where a posted title or summary loses them: they are
// read as posted too, by the API (Put, Update) and the admin's form (the
// same Patch and Validate), and text with angle brackets that are no
// tags stays as written.
func TestPutReadsPostedAuthorAndImageAltAsText(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name                string
		author, alt         string
		wantAuthor, wantAlt string
	}{
		{"markup", "<b>Ann</b> Lee", `<p>The <em>new</em> pontoon</p><script>alert(1)</script>`, "Ann Lee", "The new pontoon"},
		{"entities", "Tom &amp; Jerry", "Boats &lt; 10m", "Tom & Jerry", "Boats < 10m"},
		{"plain brackets", "a < b", "Vec<T> and Option<b>", "a < b", "Vec<T> and Option<b>"},
	} {
		u, title, img := "https://news.example/"+tt.name, "Pontoon", "https://news.example/p.jpg"
		author, alt := tt.author, tt.alt
		a, _, err := store.Put(ctx, &articles.Patch{URL: &u, Title: &title, Author: &author, ImageURL: &img, ImageAlt: &alt})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := [2]string{tt.wantAuthor, tt.wantAlt}
		if diff := cmp.Diff(want, [2]string{a.Author, a.ImageAlt}); diff != "" {
			t.Errorf("%s: Put's author and alt (-want +got):\n%s", tt.name, diff)
		}

		// An edit (the API's PATCH, the admin's form) reads them alike;
		// the stored text sent back unchanged is not read again.
		blank := ""
		if _, err := store.Update(ctx, a.ID, &articles.Patch{Author: &blank, ImageAlt: &blank}); err != nil {
			t.Fatal(err)
		}
		author, alt = tt.author, tt.alt
		if a, err = store.Update(ctx, a.ID, &articles.Patch{Author: &author, ImageAlt: &alt}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, [2]string{a.Author, a.ImageAlt}); diff != "" {
			t.Errorf("%s: Update's author and alt (-want +got):\n%s", tt.name, diff)
		}
		author, alt = a.Author, a.ImageAlt
		if a, err = store.Update(ctx, a.ID, &articles.Patch{Author: &author, ImageAlt: &alt}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, [2]string{a.Author, a.ImageAlt}); diff != "" {
			t.Errorf("%s: sent back unchanged (-want +got):\n%s", tt.name, diff)
		}
	}

	// Validate, the admin form's check, measures the author's text, not
	// its markup.
	a := &articles.Article{Title: "Pontoon", URL: "https://news.example/v", Author: "<b>Ann</b>", ImageURL: "https://news.example/p.jpg", ImageAlt: "<i>Pontoon</i>"}
	if err := a.Validate(); err != nil || a.Author != "Ann" || a.ImageAlt != "Pontoon" {
		t.Errorf("Validate: %v; author %q, alt %q; want Ann, Pontoon", err, a.Author, a.ImageAlt)
	}
}

// A feed's author is read as its RSS title is: its tags go only when it
// holds a real HTML element.
func TestFeedAuthorDropsOnlyRealTags(t *testing.T) {
	body := `<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>Bold</title><link>https://news.example/bold</link><dc:creator>&lt;b&gt;Ann&lt;/b&gt; Lee</dc:creator></item>
<item><title>Less</title><link>https://news.example/less</link><dc:creator>a &lt; b</dc:creator></item>
</channel></rss>`
	_, items := pollFeed(t, body)
	for u, want := range map[string]string{"https://news.example/bold": "Ann Lee", "https://news.example/less": "a < b"} {
		if a := items[u]; a == nil || a.Author != want {
			t.Errorf("%s: article %+v, want author %q", u, a, want)
		}
	}
}
