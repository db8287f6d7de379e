package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The note above a campaign's preview names what its body writes that the
// mail leaves out, HTML typed into the Markdown above all, so an editor
// whose styled button shows as plain text is told why.

// droppedNote is the note of page, the admin page of a campaign, or "".
func droppedNote(t *testing.T, page string) string {
	t.Helper()
	start := strings.Index(page, `id="dropped">`)
	if start < 0 {
		return ""
	}
	end := strings.Index(page[start:], "</p>")
	if end < 0 {
		t.Fatalf("the note is not closed:\n%s", page[start:])
	}
	return page[start+len(`id="dropped">`) : start+end]
}

// campaignJSON is the API's body creating a campaign of body for the
// news list.
func campaignJSON(t *testing.T, body string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"subject": "Hi", "body": body, "lists": []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCampaignPageDroppedNote(t *testing.T) {
	_, a, _, token := campaignServer(t)
	a.login("correct horse battery")
	body := "Hello {{ .Name }},\n\n" +
		"<a href=\"https://news.example\" style=\"background:#c00;padding:12px\">Read it</a>\n\n" +
		"<div align=\"center\">\nOur <span class=\"x\">news</span>\n</div>\n\n" +
		"Some <font color=red>red</font> text.\n\n" +
		"| a | b |\n|:-:|--:|\n| 1 | 2 |\n"
	page, _ := createCampaign(t, a, token, campaignJSON(t, body))
	resp, html := a.get(page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", page, resp.StatusCode)
	}
	note := droppedNote(t, html)
	want := "The preview, like the mail, leaves out " +
		"&lt;a&gt; (line 3, its text is kept, not as a link), " +
		"&lt;div&gt; (line 5, with the text of lines 5 to 7), " +
		"&lt;font&gt; (line 9, its text is kept), " +
		"the alignment of a table&#39;s columns (line 11). " +
		"A body is written in Markdown: HTML typed into it is not kept, and the mail's template gives it its look. " +
		"Write it in Markdown instead: <code>[text](https://…)</code> makes a link, <code>**text**</code> bold text, and a blank line a new paragraph."
	if note != want {
		t.Errorf("note:\n%s\nwant:\n%s", note, want)
	}
	// The note is advice: the preview is still shown, below it, with the
	// text the tags held.
	at, preview := strings.Index(html, `id="dropped"`), strings.Index(html, "figure.phone")
	if preview < 0 || preview < at {
		t.Fatalf("the preview is not below the note (note at %d, preview at %d)", at, preview)
	}
	if !strings.Contains(html[preview:], "Read it") {
		t.Errorf("the preview lost the text of the button:\n%s", html[preview:])
	}
}

func TestCampaignPageDroppedNoteCountsPastEight(t *testing.T) {
	_, a, _, token := campaignServer(t)
	a.login("correct horse battery")
	var b strings.Builder
	names := strings.Fields("b i u s em font span small big sub sup")
	for _, name := range names {
		fmt.Fprintf(&b, "Text <%s>%s</%s>.\n\n", name, name, name)
	}
	page, _ := createCampaign(t, a, token, campaignJSON(t, b.String()))
	_, html := a.get(page)
	note := droppedNote(t, html)
	for i, name := range names {
		item := fmt.Sprintf("&lt;%s&gt; (line %d, its text is kept)", name, 1+2*i)
		if got := strings.Contains(note, item); got != (i < 8) {
			t.Errorf("note names %q: %v, want %v:\n%s", item, got, i < 8, note)
		}
	}
	if !strings.Contains(note, "(line 15, its text is kept), and 3 more.") {
		t.Errorf("note does not count the 3 more:\n%s", note)
	}
}

func TestCampaignPageDroppedNoteNotForPlainMarkdown(t *testing.T) {
	_, a, _, token := campaignServer(t)
	a.login("correct horse battery")
	body := "# News\n\nHi {{ .Name | default \"there\" }}, **bold** and [a link](https://news.example).\n\n" +
		"![Photo](https://news.example/p.png)\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n<div>code</div>\n```\n"
	page, _ := createCampaign(t, a, token, campaignJSON(t, body))
	resp, html := a.get(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(html, "<h2>Preview</h2>") {
		t.Fatalf("GET %s = %d:\n%s", page, resp.StatusCode, html)
	}
	if strings.Contains(html, `id="dropped"`) || strings.Contains(html, "leaves out") {
		t.Errorf("a plain Markdown campaign has the note:\n%s", droppedNote(t, html))
	}
}

// The new and edit forms' preview carries the same note: there the editor
// writes the body, and there the note helps most.
func TestCampaignFormPreviewDroppedNote(t *testing.T) {
	_, a, _, token := campaignServer(t)
	a.login("correct horse battery")
	page, _ := createCampaign(t, a, token, campaignJSON(t, "Hello"))
	// Each form's page, and where it posts.
	for form, action := range map[string]string{"/admin/campaigns/new": "/admin/campaigns", page + "/edit": page + "/edit"} {
		preview := func(body string) string {
			_, html := a.postBody(action, url.Values{"csrf": {a.csrfOf(form)}, "action": {"preview"}, "subject": {"Hi"},
				"body": {body}, "lists": {"news"}})
			return html
		}
		note := droppedNote(t, preview("Some <font color=red>red</font> text."))
		if !strings.Contains(note, "&lt;font&gt; (line 1, its text is kept)") || !strings.Contains(note, "Write it in Markdown instead") {
			t.Errorf("%s preview: note %q, want it to name <font> on line 1 and how to write it instead", form, note)
		}
		html := preview("Some **bold** text.")
		if note := droppedNote(t, html); note != "" || !strings.Contains(html, "Preview at phone width") {
			t.Errorf("%s preview of plain Markdown: note %q, or no preview", form, note)
		}
	}
}
