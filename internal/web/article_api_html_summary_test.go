package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// runNewsDigest runs the digest of news and returns its HTML and text
// parts as stored, each with its runs of white space made one space, so
// that a summary wrapped over lines of the text part reads as one.
func runNewsDigest(t *testing.T, api *articleAPI, db *sqlite.DB) (html, text string) {
	t.Helper()
	status, d := api.call("POST", "/api/v1/digests/run", `{"list":"news"}`)
	if status != http.StatusCreated {
		t.Fatalf("digest run = %d %v, want 201", status, d)
	}
	if err := db.Read.QueryRow(`SELECT body_html, body_text FROM campaigns WHERE id = ?`, d["id"]).Scan(&html, &text); err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(html), " "), strings.Join(strings.Fields(text), " ")
}

// TestAPISummaryHTMLReachesReadersAsText: a CMS posts its excerpt as
// HTML; the digest's text and HTML parts showed its tags, its script and
// all, as text ("<p>Paragraph with <b>bold</b>…", escaped in the HTML
// part). It is read as a feed's summary is: its text, without the script,
// the paragraphs apart by a space; a title's angle brackets that are no
// tags stay.
func TestAPISummaryHTMLReachesReadersAsText(t *testing.T) {
	db, api := newArticleAPI(t)
	const u = "https://harbourgazette.example/2026/12/html-summary?a=1&b=2"
	status, a := api.call("POST", "/api/v1/articles", `{"url":"`+u+`","title":"Tides & <Times>: a guide",
		"summary":"<p>Paragraph with <b>bold</b> and <script>alert(1)</script> and a [markdown](https://x.example) link.</p>\n\nSecond para.",
		"lists":["news"]}`)
	if status != http.StatusCreated {
		t.Fatalf("POST = %d %v, want 201", status, a)
	}
	const summary = "Paragraph with bold and and a [markdown](https://x.example) link. Second para."
	if a["summary"] != summary || a["title"] != "Tides & <Times>: a guide" {
		t.Errorf("stored title and summary = %q, %q; want %q, %q", a["title"], a["summary"], "Tides & <Times>: a guide", summary)
	}
	html, text := runNewsDigest(t, api, db)
	for part, body := range map[string]string{"HTML": html, "text": text} {
		if !strings.Contains(body, summary) {
			t.Errorf("the %s part lacks the summary as text %q:\n%s", part, summary, body)
		}
		for _, leak := range []string{"<p>Paragraph", "&lt;p&gt;", "<b>bold", "&lt;b&gt;", "script", "alert(1)"} {
			if strings.Contains(body, leak) {
				t.Errorf("the %s part shows the summary's markup (%q):\n%s", part, leak, body)
			}
		}
	}
	if !strings.Contains(html, "Tides &amp; &lt;Times&gt;: a guide") || !strings.Contains(text, "Tides & <Times>: a guide") {
		t.Errorf("the title lost its angle brackets:\nHTML:\n%s\ntext:\n%s", html, text)
	}
}

// TestAPISummaryParagraphsInDigest: a plain summary keeps its blank line
// as stored (the API and the admin's form show it so), and a digest, which
// shows each summary as two or three lines of one paragraph cut at 280
// characters, reads its paragraphs apart by a space, in both parts, as it
// does a feed's; an HTML summary's paragraphs read the same.
func TestAPISummaryParagraphsInDigest(t *testing.T) {
	db, api := newArticleAPI(t)
	_, plain := api.call("POST", "/api/v1/articles", `{"url":"https://news.example/plain","title":"Plain",
		"summary":"First plain para.\n\nSecond plain para.","lists":["news"]}`)
	_, marked := api.call("POST", "/api/v1/articles", `{"url":"https://news.example/marked","title":"Marked",
		"summary":"<p>First marked para.</p><p>Second marked para.</p>","lists":["news"]}`)
	if plain["summary"] != "First plain para.\n\nSecond plain para." {
		t.Errorf("stored plain summary = %q, want its blank line kept", plain["summary"])
	}
	if marked["summary"] != "First marked para. Second marked para." {
		t.Errorf("stored HTML summary = %q, want its paragraphs apart by a space", marked["summary"])
	}
	html, text := runNewsDigest(t, api, db)
	for part, body := range map[string]string{"HTML": html, "text": text} {
		for _, want := range []string{"First plain para. Second plain para.", "First marked para. Second marked para."} {
			if !strings.Contains(body, want) {
				t.Errorf("the %s part lacks %q:\n%s", part, want, body)
			}
		}
	}
}

// TestAdminArticleFormSummaryHTML: the admin's article form takes a
// summary as the API does: pasted HTML is stored as its text, on a new
// article and on an edit.
func TestAdminArticleFormSummaryHTML(t *testing.T) {
	s, a, byTitle := adminArticles(t)
	ctx := context.Background()
	form := url.Values{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {"<b>Ferry</b> timetable"}, "url": {"https://news.example/ferry"},
		"summary": {"<p>Winter <em>times</em>.</p><script>alert(1)</script><p>From Monday.</p>"}, "body": {""}, "author": {""},
		"image_url": {""}, "image_alt": {""}, "published_at": {"2026-11-22T06:30"}, "lists": {"news"}}
	resp := a.post("/admin/articles", form)
	m := articleLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("post = %d to %q, want 303 to the new article", resp.StatusCode, resp.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	got, err := s.Articles.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Ferry timetable" || got.Summary != "Winter times. From Monday." {
		t.Errorf("new article's title and summary = %q, %q; want %q, %q", got.Title, got.Summary, "Ferry timetable", "Winter times. From Monday.")
	}

	bridge := byTitle["Bridge reopens"]
	edit := "/admin/articles/" + strconv.FormatInt(bridge.ID, 10)
	form = url.Values{"csrf": {a.csrfOf(edit)}, "title": {bridge.Title}, "url": {bridge.URL},
		"summary": {"<div>Open again <i>after</i> eight months.</div>"}, "body": {""}, "author": {bridge.Author},
		"image_url": {""}, "image_alt": {""}, "published_at": {bridge.PublishedAt.UTC().Format(formTime)}, "lists": {"news"}}
	if resp := a.post(edit, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit = %d, want 303", resp.StatusCode)
	}
	if got, _ := s.Articles.Get(ctx, bridge.ID); got.Summary != "Open again after eight months." {
		t.Errorf("edited summary = %q, want its text", got.Summary)
	}
}
