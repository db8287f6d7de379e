package web

import (
	"encoding/json"
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// scriptRefusal is what saving a body with a <script> on its third line
// says, in the API; scriptRefusalShown on the admin form's field, as a
// sentence.
const (
	scriptRefusal      = "line 3: take out the <script>: mail cannot run scripts or embeds: link to the page instead"
	scriptRefusalShown = "Line 3: take out the <script>: mail cannot run scripts or embeds: link to the page instead."
)

// A campaign body with a <script> is refused with a 422 naming it, its
// line and what to do instead, through the API and the admin form alike;
// the form keeps what was typed. A draft saved with one
// before still opens, its page and its form, and saving it says the same
// until the script goes.
func TestSavingAScriptIsRefusedWithWhatToDo(t *testing.T) {
	_, a, db, token := campaignServerWithDB(t)
	a.login("correct horse battery")
	const body = "Hello,\n\nThe bridge <script>alert(1)</script> reopens."
	js, _ := json.Marshal(map[string]any{"subject": "Bridge", "body": body, "lists": []string{"news"}})

	code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", string(js))
	fields, _ := got["fields"].(map[string]any)
	if code != 422 || got["error"] != "validation" || fields["body"] != scriptRefusal {
		t.Errorf("API create = %d %v, want 422 with body %q", code, got, scriptRefusal)
	}
	csrf := a.csrfOf("/admin/campaigns/new")
	form := url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Bridge"}, "body": {body}, "lists": {"news"}}
	resp, page := a.postBody("/admin/campaigns", form)
	if resp.StatusCode != 422 || !strings.Contains(page, `<p class="error" id="body-error">`+html.EscapeString(scriptRefusalShown)+`</p>`) ||
		!strings.Contains(page, html.EscapeString(body)) {
		t.Errorf("admin form save = %d, want 422 with the refusal by the body and the body kept:\n%s", resp.StatusCode, page)
	}

	// A draft an older version saved with the script.
	admin, api := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hello.","lists":["news"]}`)
	id, _ := strconv.Atoi(admin[strings.LastIndexByte(admin, '/')+1:])
	if _, err := db.Write.Exec(`UPDATE campaigns SET body = ? WHERE id = ?`, body, id); err != nil {
		t.Fatal(err)
	}
	if resp, page := a.get(admin); resp.StatusCode != 200 {
		t.Errorf("GET %s = %d, want the stored draft's page:\n%s", admin, resp.StatusCode, page)
	}
	if resp, page := a.get(admin + "/edit"); resp.StatusCode != 200 || !strings.Contains(page, html.EscapeString(body)+"</textarea>") {
		t.Errorf("GET %s/edit = %d, want the form with the body as stored:\n%s", admin, resp.StatusCode, page)
	}
	resp, page = a.postBody(admin+"/edit", form)
	if resp.StatusCode != 422 || !strings.Contains(page, `<p class="error" id="body-error">`+html.EscapeString(scriptRefusalShown)+`</p>`) {
		t.Errorf("admin form save of the stored draft = %d, want 422 with the refusal:\n%s", resp.StatusCode, page)
	}
	code, got = apiCall(t, a.base, token, "PATCH", api, `{"subject":"Bridge news"}`)
	fields, _ = got["fields"].(map[string]any)
	if code != 422 || fields["body"] != scriptRefusal {
		t.Errorf("API patch of the stored draft's subject = %d %v, want 422 with body %q", code, got, scriptRefusal)
	}
	fixed, _ := json.Marshal(map[string]any{"body": "Hello,\n\nThe bridge reopens: https://news.example/bridge"})
	if code, got := apiCall(t, a.base, token, "PATCH", api, string(fixed)); code != 200 {
		t.Errorf("API patch without the script = %d %v, want 200", code, got)
	}
}

// A list's welcome text with a <script> is refused as a campaign's body
// is, through the API and the admin's list form. One saved before the
// check does not stop the list's other changes: it is sent without the
// script, as a campaign stored so is.
func TestSavingAWelcomeWithAScriptIsRefused(t *testing.T) {
	e := newAdminSubEnv(t)
	const welcome = "Welcome!\n\n<script>alert(1)</script>"
	w := e.api("PATCH", "/api/v1/lists/daily-news", `{"welcome":"Welcome!\n\n<script>alert(1)</script>"}`)
	if msg := welcomeFieldError(t, w.Code, w.Body.Bytes()); msg != scriptRefusal {
		t.Errorf("API: welcome error %q, want %q", msg, scriptRefusal)
	}

	form := url.Values{"csrf": {e.csrf}, "slug": {"daily-news"}, "name": {"Daily News"}, "description": {""}, "public": {"on"},
		"digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"UTC"},
		"from": {""}, "reply_to": {""}, "welcome": {welcome}}
	resp, page := e.a.postBody("/admin/lists/daily-news", form)
	if resp.StatusCode != 422 || !strings.Contains(page, `<p class="error" id="welcome-error">`+html.EscapeString(scriptRefusalShown)+`</p>`) {
		t.Errorf("admin list form = %d, want 422 with the refusal:\n%s", resp.StatusCode, page)
	}

	if _, err := e.db.Write.Exec(`UPDATE lists SET welcome = ? WHERE slug = 'weekend-culture'`, welcome); err != nil {
		t.Fatal(err)
	}
	if w := e.api("PATCH", "/api/v1/lists/weekend-culture", `{"name":"Weekend"}`); w.Code != 200 {
		t.Errorf("patch of a list whose stored welcome holds a script = %d %s, want 200", w.Code, w.Body)
	}
}
