package web

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// copiedSnippet is the text of the embed page's box to copy, as a
// publisher's copy takes it: what the browser shows of the textarea, its
// escapes read.
func copiedSnippet(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `<textarea id="snippet"`)
	if i < 0 {
		t.Fatalf("no snippet to copy:\n%s", body)
	}
	s := body[i:]
	s = s[strings.Index(s, ">")+1 : strings.Index(s, "</textarea>")]
	return html.UnescapeString(s)
}

// inPreviewAndCopy counts s in the embed page's preview, its HTML, and in
// the snippet to copy, as copied.
func inPreviewAndCopy(t *testing.T, body, s string) int {
	t.Helper()
	return strings.Count(body, s) + strings.Count(copiedSnippet(t, body), s)
}

// A list's name and description are text in the HTML a publisher copies
// from the embed page, as they are in its preview: the snippet was
// executed inside the textarea, escaped for it alone, so that the copied
// HTML held them as markup, which ran on the publisher's page (a name
// with an <img onerror=…>, a description with a <script>), and a name as
// plain as "Q&A <Live> Desk" lost its "<Live>" there.
func TestEmbedSnippetToCopyHoldsNamesAsText(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, l := range []*subscribers.List{
		{Slug: "demo", Name: `Demo<img src=x onerror=alert(1)>`, Public: true},
		{Slug: "qa", Name: "Q&A <Live> Desk", Description: `<script>alert("d")</script> scores & results`, Public: true},
	} {
		if err := e.store.CreateList(context.Background(), l); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ path, want, bad string }{
		{"/subscribe/embed?list=demo", `You are signing up for Demo&lt;img src=x onerror=alert(1)&gt;.`, "<img"},
		{"/subscribe/embed?list=qa", `You are signing up for Q&amp;A &lt;Live&gt; Desk.`, "<Live>"},
		{"/subscribe/embed", `&lt;script&gt;alert(&#34;d&#34;)&lt;/script&gt; scores &amp; results`, "<script>"},
	} {
		w := e.do("GET", tc.path, "", "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", tc.path, w.Code)
		}
		copied := copiedSnippet(t, w.Body.String())
		if !strings.Contains(copied, tc.want) {
			t.Errorf("GET %s: the HTML to copy lacks %q:\n%s", tc.path, tc.want, copied)
		}
		if strings.Contains(copied, tc.bad) {
			t.Errorf("GET %s: the HTML to copy holds %q as markup:\n%s", tc.path, tc.bad, copied)
		}
		// The preview shows the same snippet live, escaped once.
		preview := w.Body.String()[strings.Index(w.Body.String(), `<div class="preview">`):]
		if !strings.Contains(preview, tc.want) {
			t.Errorf("GET %s: the preview lacks %q", tc.path, tc.want)
		}
	}
}
