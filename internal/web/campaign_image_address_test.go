package web

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
)

// A campaign body whose image has a javascript: address is refused with a
// 422 naming the body field, the image, its line and what to write
// instead, through the API and the admin form alike; the form keeps what
// was typed. It was saved, and only listed afterwards among what the mail
// leaves out.
func TestSavingAnImageFromJavaScriptIsRefused(t *testing.T) {
	_, a, _, token := campaignServerWithDB(t)
	a.login("correct horse battery")
	const body = "Hello,\n\n![the quay](https://news.example/quay.png)\n\nThe bridge reopens.\n\n![chart](javascript:alert(1))"
	const why = `line 7: image 2's address starts with "javascript:": a mail shows only images from the web; write the image's web address, starting with https://`
	const shown = `Line 7: image 2's address starts with "javascript:": a mail shows only images from the web; write the image's web address, starting with https://.` // on the form, a sentence
	js, _ := json.Marshal(map[string]any{"subject": "Bridge", "body": body, "lists": []string{"news"}})

	code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", string(js))
	fields, _ := got["fields"].(map[string]any)
	if code != 422 || got["error"] != "validation" || fields["body"] != why {
		t.Errorf("API create = %d %v, want 422 with body %q", code, got, why)
	}

	csrf := a.csrfOf("/admin/campaigns/new")
	form := url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Bridge"}, "body": {body}, "lists": {"news"}}
	resp, page := a.postBody("/admin/campaigns", form)
	if resp.StatusCode != 422 || !strings.Contains(page, `<p class="error" id="body-error">`+html.EscapeString(shown)+`</p>`) ||
		!strings.Contains(page, html.EscapeString(body)) || !strings.Contains(page, `aria-invalid="true"`) {
		t.Errorf("admin form save = %d, want 422 with the refusal by the body and the body kept:\n%s", resp.StatusCode, page)
	}

	fixed, _ := json.Marshal(map[string]any{"subject": "Bridge", "body": strings.Replace(body, "javascript:alert(1)", "https://news.example/chart.png", 1), "lists": []string{"news"}})
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", string(fixed)); code != 201 {
		t.Errorf("API create with the image's web address = %d %v, want 201", code, got)
	}
}
