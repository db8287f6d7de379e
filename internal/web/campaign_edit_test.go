package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// PATCH changes only the fields given of a draft; PATCH and DELETE of a
// sending campaign are 409s that say why, of an unknown one 404s; any
// campaign can be duplicated into a new draft (201).
func TestCampaignAPIEditDeleteDuplicate(t *testing.T) {
	_, a, _, token := campaignServer(t)
	code, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"Bridge","preheader":"Open again","body":"Hi {{ .Name }}","lists":["news"]}`)
	if code != http.StatusCreated || c["preheader"] != "Open again" || c["audience"] != float64(1) {
		t.Fatalf("create = %d %v, want the preheader and an audience of 1", code, c)
	}
	path := "/api/v1/campaigns/" + strconv.Itoa(int(c["id"].(float64)))
	code, got := apiCall(t, a.base, token, "PATCH", path, `{"subject":"Bridge reopens"}`)
	if code != 200 || got["subject"] != "Bridge reopens" || got["preheader"] != "Open again" || got["body"] != "Hi {{ .Name }}" {
		t.Errorf("PATCH subject = %d %v", code, got)
	}
	code, got = apiCall(t, a.base, token, "PATCH", path, `{"body":"Hello,\n\nDear {{ .Nmae }}"}`)
	if fields, _ := got["fields"].(map[string]any); code != 422 || !strings.Contains(fmt_(fields["body"]), "line 3") {
		t.Errorf("PATCH with a bad field = %d %v, want 422 naming line 3", code, got)
	}
	code, got = apiCall(t, a.base, token, "PATCH", path, `{"send_at":"2099-01-01T09:00:00Z"}`)
	if code != 200 || got["status"] != "scheduled" {
		t.Errorf("PATCH send_at = %d %v, want scheduled", code, got)
	}
	if code, got := apiCall(t, a.base, token, "PATCH", path, `{"send_at":null}`); code != 200 || got["status"] != "draft" {
		t.Errorf("PATCH send_at null = %d %v, want draft", code, got)
	}
	for m, body := range map[string]string{"PATCH": `{"subject":"x"}`, "DELETE": ""} { // DELETE takes no body
		if code, _ := apiCall(t, a.base, token, m, "/api/v1/campaigns/999", body); code != 404 {
			t.Errorf("%s unknown = %d, want 404", m, code)
		}
	}
	if code, got := apiCall(t, a.base, token, "POST", path+"/send", ""); code != 200 {
		t.Fatalf("send = %d %v", code, got)
	}
	code, got = apiCall(t, a.base, token, "PATCH", path, `{"subject":"Too late"}`)
	if code != 409 || !strings.Contains(fmt_(got["message"]), "is sending already; only a draft or a scheduled campaign can be edited") {
		t.Errorf("PATCH while sending = %d %v, want 409 saying why", code, got)
	}
	if code, got := apiCall(t, a.base, token, "DELETE", path, ""); code != 409 || !strings.Contains(fmt_(got["message"]), "can be deleted") {
		t.Errorf("DELETE while sending = %d %v, want 409 saying why", code, got)
	}
	code, dup := apiCall(t, a.base, token, "POST", path+"/duplicate", "")
	if code != 201 || dup["subject"] != "Copy of Bridge reopens" || dup["status"] != "draft" || dup["preheader"] != "Open again" {
		t.Fatalf("duplicate = %d %v", code, dup)
	}
	dupPath := "/api/v1/campaigns/" + strconv.Itoa(int(dup["id"].(float64)))
	if code, _ := apiCall(t, a.base, token, "DELETE", dupPath, ""); code != 204 {
		t.Errorf("DELETE draft = %d, want 204", code)
	}
	if code, _ := apiCall(t, a.base, token, "GET", dupPath, ""); code != 404 {
		t.Errorf("GET deleted = %d, want 404", code)
	}
	if code, _ := apiCall(t, a.base, token, "POST", "/api/v1/campaigns/999/duplicate", ""); code != 404 {
		t.Errorf("duplicate unknown = %d, want 404", code)
	}
}

func fmt_(v any) string { s, _ := v.(string); return s }

// A campaign that would reach nobody is not sent: 422 naming its lists.
func TestCampaignAPISendToNobody(t *testing.T) {
	s, a, _, token := campaignServer(t)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "quiet", Name: "Quiet"}); err != nil {
		t.Fatal(err)
	}
	_, c := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"Hi","body":"Hello","lists":["quiet"]}`)
	path := "/api/v1/campaigns/" + strconv.Itoa(int(c["id"].(float64)))
	code, got := apiCall(t, a.base, token, "POST", path+"/send", "")
	if fields, _ := got["fields"].(map[string]any); code != 422 || !strings.Contains(fmt_(fields["lists"]), "nobody") {
		t.Errorf("send to nobody = %d %v, want 422 on lists", code, got)
	}
	if _, got := apiCall(t, a.base, token, "GET", path, ""); got["status"] != "draft" || got["audience"] != float64(0) {
		t.Errorf("after the refusal: %v, want a draft with audience 0", got)
	}
}

var srcdoc = regexp.MustCompile(`<iframe sandbox title="Preview at (desktop|phone) width" srcdoc="([^"]*)"`)

// The admin edits a draft (with the preheader and per-field errors),
// previews the real mail in sandboxed frames, sends it through a
// confirmation naming the audience, duplicates it and deletes the copy
// after a confirmation.
func TestAdminCampaignEditSendDuplicateDelete(t *testing.T) {
	s, a, _, _ := campaignServer(t)
	if _, err := s.Subscribers.Create(context.Background(), &subscribers.NewSubscriber{Email: "bo@example.com", Status: "confirmed", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/campaigns/new")
	resp := a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}})
	page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]

	resp, body := a.get(page + "/edit")
	if resp.StatusCode != 200 || !strings.Contains(body, `action="`+page+`/edit"`) || !strings.Contains(body, `name="preheader"`) || !strings.Contains(body, "Will reach <strong>2 readers</strong>") {
		t.Fatalf("edit page = %d:\n%s", resp.StatusCode, body)
	}
	form := url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi there"}, "preheader": {"Tea & cake"},
		"body": {"Hello,\n\n{{ .Name | default \"friend\" }} and {{ .Nmae }}"}, "lists": {"news"}}
	resp, body = a.postBody(page+"/edit", form)
	if resp.StatusCode != 422 || !strings.Contains(body, `<p class="error" id="body-error">Line 3: {{ .Nmae }} names no personal field`) || !strings.Contains(body, `value="Tea &amp; cake"`) {
		t.Errorf("edit with a bad field = %d, want 422 with the error by the body and the values kept:\n%s", resp.StatusCode, body)
	}
	if resp := a.post(page+"/edit", url.Values{"subject": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("edit without csrf = %d, want 403", resp.StatusCode)
	}
	form.Set("body", "Hello **{{ .Name | default \"friend\" }}** <script>x()</script>")
	form.Set("action", "preview")
	_, body = a.postBody(page+"/edit", form)
	frames := srcdoc.FindAllStringSubmatch(body, -1)
	if len(frames) != 2 {
		t.Fatalf("edit preview shows %d frames, want desktop and phone:\n%s", len(frames), body)
	}
	doc := html.UnescapeString(frames[0][2])
	if !strings.Contains(doc, "<strong>Ada Reader</strong>") || !strings.Contains(doc, "Tea &amp; cake") || strings.Contains(doc, "<script>x()") || strings.Contains(doc, "BLTN") || !strings.HasPrefix(doc, "<!doctype html>") {
		t.Errorf("the preview frame does not hold the whole mail, rendered and sanitised:\n%s", doc)
	}
	form.Set("action", "save")
	form.Set("body", "Hello **{{ .Name | default \"friend\" }}**") // saving refuses a <script>, which the preview leaves out
	if resp := a.post(page+"/edit", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save edit = %d", resp.StatusCode)
	}
	resp, body = a.get(page)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("campaign page may be framed: %q", csp)
	}
	if !strings.Contains(body, "<h1>Hi there") || !strings.Contains(body, "Will reach <strong>2 readers</strong>") || len(srcdoc.FindAllString(body, -1)) != 2 {
		t.Errorf("campaign page lacks the edit, the audience or the preview frames:\n%s", body)
	}

	_, body = a.get(page + "/send")
	if !strings.Contains(body, `name="confirm" value="2"`) || !strings.Contains(body, "Send to 2 readers") {
		t.Errorf("send confirmation does not name the audience:\n%s", body)
	}
	if resp, body := a.postBody(page+"/send", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Send to 2 readers") {
		t.Errorf("send without confirm = %d, want the confirmation again", resp.StatusCode)
	}
	if resp := a.post(page+"/send", url.Values{"csrf": {csrf}, "confirm": {"2"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed send = %d", resp.StatusCode)
	}
	if resp, body := a.get(page + "/edit"); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "only a draft or a scheduled campaign can be edited") {
		t.Errorf("edit of a sending campaign = %d", resp.StatusCode)
	}
	if resp := a.post(page+"/delete", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("delete of a sending campaign = %d, want 409", resp.StatusCode)
	}

	resp = a.post(page+"/duplicate", url.Values{"csrf": {csrf}})
	loc := resp.Header.Get("Location")
	if key, _, _ := flashSet(resp); resp.StatusCode != http.StatusSeeOther || loc == page || !strings.HasPrefix(loc, "/admin/campaigns/") || key != "campaign-duplicated" {
		t.Fatalf("duplicate = %d to %q with the banner %q", resp.StatusCode, loc, key)
	}
	checkFlashRedirect(t, "duplicate", resp, loc, "campaign-duplicated")
	copyPage := loc
	if _, body := a.get(loc); !strings.Contains(body, "<h1>Copy of Hi there") || !strings.Contains(body, "saved as a draft") {
		t.Errorf("the copy's page:\n%s", body)
	}
	if _, body := a.get(copyPage + "/delete"); !strings.Contains(body, `action="`+copyPage+`/delete"`) {
		t.Errorf("no delete confirmation:\n%s", body)
	}
	resp = a.post(copyPage+"/delete", url.Values{"csrf": {csrf}})
	checkFlashRedirect(t, "delete", resp, "/admin/campaigns", "campaign-deleted")
	if resp, _ := a.get(copyPage); resp.StatusCode != 404 {
		t.Errorf("deleted campaign page = %d, want 404", resp.StatusCode)
	}
}

// A send to nobody is refused on the page with a message that says why.
func TestAdminSendToNobody(t *testing.T) {
	s, a, _, _ := campaignServer(t)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "quiet", Name: "Quiet"}); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/campaigns/new")
	resp := a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"quiet"}})
	page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	for _, try := range []func() (*http.Response, string){
		func() (*http.Response, string) { return a.get(page + "/send") },
		func() (*http.Response, string) {
			return a.postBody(page+"/send", url.Values{"csrf": {csrf}, "confirm": {"0"}})
		},
	} {
		resp, body := try()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "This campaign would reach nobody") {
			t.Errorf("send to nobody = %d:\n%s", resp.StatusCode, body)
		}
	}
}
