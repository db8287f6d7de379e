package articles_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A title or summary posted (the API, the admin's form) is read as a
// feed's title is: a CMS excerpt's HTML became the summary as written, and
// its tags reached readers as text. Markup loses its tags, scripts and
// styles with their content, and its entities, as the feed poller's
// stripper does; text that only looks like markup keeps its brackets, and
// a plain summary its blank lines.
func TestPutReadsPostedHTMLAsText(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name                   string
		title, summary         string
		wantTitle, wantSummary string
	}{
		{"CMS excerpt", "Tides & <Times>: a guide",
			"<p>Paragraph with <b>bold</b> and <script>alert(1)</script> and a [markdown](https://x.example) link.</p>\n\nSecond para.",
			"Tides & <Times>: a guide", "Paragraph with bold and and a [markdown](https://x.example) link. Second para."},
		{"styles and entities", "<em>Ferry</em> timetable",
			"<style>p{color:red}</style><p>Winter&nbsp;times &amp; fares.</p><p>From&#8230; Monday.</p>",
			"Ferry timetable", "Winter times & fares. From… Monday."},
		{"escaped title", "It&#8217;s here: Tom &amp; Jerry", "Vec<T> beats arrays",
			"It’s here: Tom & Jerry", "Vec<T> beats arrays"},
		{"plain paragraphs", "Bridge reopens", "First para.\n\nSecond para.",
			"Bridge reopens", "First para.\n\nSecond para."},
	} {
		u := "https://news.example/" + tt.name
		a, _, err := store.Put(ctx, &articles.Patch{URL: &u, Title: &tt.title, Summary: &tt.summary})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff([2]string{tt.wantTitle, tt.wantSummary}, [2]string{a.Title, a.Summary}); diff != "" {
			t.Errorf("%s: title and summary (-want +got):\n%s", tt.name, diff)
		}
		got, err := store.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Summary != tt.wantSummary {
			t.Errorf("%s: stored summary = %q, want %q", tt.name, got.Summary, tt.wantSummary)
		}
	}
}

// A posted title is checked for the text it leaves: a line break in
// markup is a space, one in text still a title on two lines; a summary's
// length is the length of its text, not of its tags.
func TestPostedTextIsCheckedAfterItsMarkupGoes(t *testing.T) {
	_, store := newFeedEnv(t)
	long := "<p>"
	for range 300 {
		long += `<span class="x">word</span> `
	}
	for _, tt := range []struct {
		name, title, summary string
		want                 map[string]string
	}{
		{"break in markup", "<b>Bridge</b>\nreopens", "", nil},
		{"break in text", "Bridge\nreopens", "", map[string]string{"title": "keep the title to one line"}},
		{"long markup, short text", "Bridge reopens", long, nil},
	} {
		a := &articles.Article{Title: tt.title, URL: "https://news.example/bridge", Summary: tt.summary}
		if diff := cmp.Diff(tt.want, bulletin.ErrorFields(a.Validate())); diff != "" {
			t.Errorf("%s: Validate (-want +got):\n%s", tt.name, diff)
		}
		u := "https://news.example/" + tt.name
		_, _, err := store.Put(context.Background(), &articles.Patch{URL: &u, Title: &tt.title, Summary: &tt.summary})
		if diff := cmp.Diff(tt.want, bulletin.ErrorFields(err)); diff != "" {
			t.Errorf("%s: Put (-want +got):\n%s", tt.name, diff)
		}
	}
}

// A feed's texts are read once, as the feed writes them: text an Atom
// feed gives as text ("<b>not</b>" shown as written) is not stripped again
// when saved, nor when an editor's form sends it back unchanged with an
// edit of another field; a new summary posted is read as posted.
func TestFeedTextIsNotReadAgainAsPosted(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	a := &articles.Article{Title: "Option<b> is <b>not</b> bold", URL: "https://news.example/option",
		Summary: "Tags in text <i>stay</i> &amp; so do entities.", Lists: []string{"news"}}
	if _, err := store.Save(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Title != "Option<b> is <b>not</b> bold" || a.Summary != "Tags in text <i>stay</i> &amp; so do entities." {
		t.Fatalf("a feed's text was read again on save: %q, %q", a.Title, a.Summary)
	}
	title, summary, author := a.Title, a.Summary, "Maren Holt"
	got, err := store.Update(ctx, a.ID, &articles.Patch{Title: &title, Summary: &summary, Author: &author})
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != a.Title || got.Summary != a.Summary || got.Author != author {
		t.Errorf("an edit of the author changed the texts sent back as stored: %q, %q, %q", got.Title, got.Summary, got.Author)
	}
	summary = "Tags in <i>markup</i> go."
	if got, err = store.Update(ctx, a.ID, &articles.Patch{Summary: &summary}); err != nil {
		t.Fatal(err)
	}
	if got.Summary != "Tags in markup go." {
		t.Errorf("a summary posted = %q, want its markup gone", got.Summary)
	}
}

// A browser sends a textarea's lines ended by CRLF: a stored multi-line
// summary sent back unchanged from the admin's form is the same text, not
// a new one to read again (its "&amp;" decoded, its look-alike markup
// stripped), and a new one is stored with LF.
func TestSummarySentBackWithCRLFIsNotReadAgain(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	a := &articles.Article{Title: "Tide tables", URL: "https://news.example/tides",
		Summary: "Use &amp; with <b>care</b>.\n\nSecond paragraph.", Lists: []string{"news"}}
	if _, err := store.Save(ctx, a); err != nil {
		t.Fatal(err)
	}
	back, author := strings.ReplaceAll(a.Summary, "\n", "\r\n"), "Maren Holt"
	got, err := store.Update(ctx, a.ID, &articles.Patch{Summary: &back, Author: &author})
	if err != nil {
		t.Fatal(err)
	}
	if got.Summary != a.Summary {
		t.Errorf("a summary sent back with CRLF was read again: %q, want %q", got.Summary, a.Summary)
	}
	typed := "First line.\r\nSecond line."
	if got, err = store.Update(ctx, a.ID, &articles.Patch{Summary: &typed}); err != nil {
		t.Fatal(err)
	}
	if got.Summary != "First line.\nSecond line." {
		t.Errorf("a new summary typed in a textarea = %q, want its lines ended by LF", got.Summary)
	}
}
