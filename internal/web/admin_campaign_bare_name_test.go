package web

import (
	"net/url"
	"strings"
	"testing"
)

// The note on a bare name: readers without a name read the sentence
// without it, which the preview's sample reader (who has a name) does not
// show. It is on the campaign's page and beside the new and edit forms'
// preview, where the editor can still add a fallback.
const bareNameWords = "Readers without a name"

// The note quotes the campaign's own line as the preview shows it and as
// a reader without a name gets it, not made-up examples, and says how to
// greet them instead: in the campaign while it can be edited, in the next
// one once it is sent, or by giving them a name.
func TestCampaignPageWarnsOfANameWithoutFallback(t *testing.T) {
	_, a, db, token := campaignServerWithDB(t)
	a.login("correct horse battery")
	for _, tt := range []struct {
		body string
		want string // "" for no note
	}{
		{`Welcome aboard.\n\nHi {{ .Name }}, the ferry runs again.`, `Readers without a name get “Hi, the ferry runs again.” where the preview shows “Hi Ada Reader, the ferry runs again.” (line 3 of the body).`},
		{`{{ .Name }}`, `Readers without a name do not get line 1 of the body at all: it holds only the name, “Ada Reader” in the preview.`},
		{`Hello {{ .Name }},\n\nNews.\n\nThanks for reading {{ .Name }}'s favourite paper.`, `(line 1 of the body). Line 5 of the body writes the name the same way.`},
		{`Hello {{ .Name }},\n\n{{ .Name }}\n\nNews.\n\nBye {{ .Name }}.\n\nSee you {{ .Name }}.`, `(line 1 of the body). Lines 3, 7 and 9 of the body write the name the same way.`},
		{`Hi {{ .Name | default \"there\" }}, welcome.`, ""},
		{`Your address is {{ .Email }}.`, ""},
	} {
		page, _ := createCampaign(t, a, token, `{"subject":"Hi","body":"`+tt.body+`","lists":["news"]}`)
		_, body := a.get(page)
		if got := strings.Contains(body, bareNameWords); got != (tt.want != "") {
			t.Errorf("body %s: noted %v, want %v", tt.body, got, tt.want != "")
		}
		if tt.want == "" {
			continue
		}
		for _, want := range []string{tt.want, `To greet them with a word instead, write <code>{{ .Name | default "there" }}</code> in place of <code>{{ .Name }}</code>, or give them a name on their page under <a href="/admin/subscribers">Subscribers</a>.`} {
			if !strings.Contains(body, want) {
				t.Errorf("body %s: the draft's page lacks %s:\n%s", tt.body, want, noteOf(body))
			}
		}
		// Sent, the campaign cannot be changed: the note offers the fix
		// for the next one.
		id := page[strings.LastIndex(page, "/")+1:]
		if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = CURRENT_TIMESTAMP, finished_at = CURRENT_TIMESTAMP WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		_, body = a.get(page)
		for _, want := range []string{tt.want, `This mail can no longer be changed: to greet them with a word in the next, write <code>{{ .Name | default "there" }}</code>`} {
			if !strings.Contains(body, want) {
				t.Errorf("body %s: the sent campaign's page lacks %s:\n%s", tt.body, want, noteOf(body))
			}
		}
		if strings.Contains(body, "To greet them with a word instead") {
			t.Errorf("body %s: the sent campaign's page offers to change it", tt.body)
		}
	}
}

// noteOf is the bare-name note of a page, or the page when it has none.
func noteOf(page string) string {
	if i := strings.Index(page, `id="bare-name"`); i >= 0 {
		if j := strings.Index(page[i:], "</p>"); j >= 0 {
			return page[i : i+j]
		}
	}
	return page
}

func TestCampaignPreviewWarnsOfANameWithoutFallback(t *testing.T) {
	_, a, _, _ := campaignServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/campaigns/new")
	for _, tt := range []struct {
		body string
		warn bool
	}{
		{"Hi {{ .Name }}, welcome.", true},
		{"Hi {{ .Name | default \"there\" }}, welcome.", false},
	} {
		form := url.Values{"csrf": {csrf}, "action": {"preview"}, "subject": {"Hi"}, "body": {tt.body}, "lists": {"news"}}
		resp, body := a.postBody("/admin/campaigns", form)
		if resp.StatusCode != 200 || !strings.Contains(body, "<h2>Preview</h2>") {
			t.Fatalf("preview of %q = %d:\n%s", tt.body, resp.StatusCode, body)
		}
		if got := strings.Contains(body, bareNameWords); got != tt.warn {
			t.Errorf("new campaign preview of %q: noted %v, want %v", tt.body, got, tt.warn)
		}
		if quoted := "Readers without a name get “Hi, welcome.” where the preview shows “Hi Ada Reader, welcome.” (line 1 of the body). To greet them with a word instead"; tt.warn && !strings.Contains(body, quoted) {
			t.Errorf("new campaign preview of %q lacks %s:\n%s", tt.body, quoted, noteOf(body))
		}
		resp = a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}})
		page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		_, body = a.postBody(page+"/edit", form)
		if got := strings.Contains(body, bareNameWords); got != tt.warn {
			t.Errorf("edit preview of %q: noted %v, want %v", tt.body, got, tt.warn)
		}
	}
}
