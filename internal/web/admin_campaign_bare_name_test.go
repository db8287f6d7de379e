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
const bareNameNote = "Readers without a name read this mail without it"

func TestCampaignPageWarnsOfANameWithoutFallback(t *testing.T) {
	_, a, _, token := campaignServer(t)
	a.login("correct horse battery")
	for _, tt := range []struct {
		body string
		warn bool
	}{
		{`Hi {{ .Name }}, welcome.`, true},
		{`Hi {{ .Name | default \"there\" }}, welcome.`, false},
		{`Your address is {{ .Email }}.`, false},
	} {
		page, _ := createCampaign(t, a, token, `{"subject":"Hi","body":"`+tt.body+`","lists":["news"]}`)
		_, body := a.get(page)
		if got := strings.Contains(body, bareNameNote); got != tt.warn {
			t.Errorf("body %s: noted %v, want %v", tt.body, got, tt.warn)
		}
	}
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
		if got := strings.Contains(body, bareNameNote); got != tt.warn {
			t.Errorf("new campaign preview of %q: noted %v, want %v", tt.body, got, tt.warn)
		}
		resp = a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}})
		page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		_, body = a.postBody(page+"/edit", form)
		if got := strings.Contains(body, bareNameNote); got != tt.warn {
			t.Errorf("edit preview of %q: noted %v, want %v", tt.body, got, tt.warn)
		}
	}
}
