package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// leftOutOf reads the left_out of a campaign the API answered, failing
// when the member is absent or null: nothing left out is [].
func leftOutOf(t *testing.T, body []byte) []leftOutJSON {
	t.Helper()
	var c struct {
		LeftOut *[]leftOutJSON `json:"left_out"`
	}
	if err := json.Unmarshal(body, &c); err != nil || c.LeftOut == nil {
		t.Fatalf("no left_out array in %s", body)
	}
	return *c.LeftOut
}

// An API client learns what its campaign's body writes that the mail
// leaves out, as the admin pages tell an editor: a block of HTML goes
// with its text, a tag within a line leaves its text. Every answer about
// the campaign says so until a change takes the HTML out.
func TestAPICampaignLeftOut(t *testing.T) {
	_, a, token := fullServer(t)
	withHTML := "Hello {{ .Name }},\n\n<div>hello</div>\n\nA <span>quiet</span> word.\n"
	want := []leftOutJSON{
		{What: "<div>", Line: 3, Note: "with the text of its line"},
		{What: "<span>", Line: 5, Note: "its text is kept"},
	}

	code, got := callDocumented(t, a, token, "POST", "/api/v1/campaigns", campaignJSON(t, withHTML))
	if code != http.StatusCreated {
		t.Fatalf("create = %d %s", code, got)
	}
	if diff := cmp.Diff(want, leftOutOf(t, got)); diff != "" {
		t.Errorf("create's left_out (-want +got):\n%s", diff)
	}
	campaign := "/api/v1/campaigns/" + jsonID(t, got)

	code, got = callDocumented(t, a, token, "GET", campaign, "")
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", campaign, code, got)
	}
	if diff := cmp.Diff(want, leftOutOf(t, got)); diff != "" {
		t.Errorf("GET's left_out (-want +got):\n%s", diff)
	}

	// A copy writes the same body, so leaves out the same.
	code, got = callDocumented(t, a, token, "POST", campaign+"/duplicate", "")
	if code != http.StatusCreated {
		t.Fatalf("duplicate = %d %s", code, got)
	}
	if diff := cmp.Diff(want, leftOutOf(t, got)); diff != "" {
		t.Errorf("duplicate's left_out (-want +got):\n%s", diff)
	}

	// The list leaves the member out: finding it renders every body of
	// the page.
	code, got = callDocumented(t, a, token, "GET", "/api/v1/campaigns", "")
	if code != http.StatusOK || bytes.Contains(got, []byte(`"left_out"`)) {
		t.Errorf("GET /api/v1/campaigns = %d %s, want a page without left_out", code, got)
	}

	// A change that takes the HTML out clears it, in the answer and after.
	code, got = callDocumented(t, a, token, "PATCH", campaign, `{"body":"Hello {{ .Name }},\n\nA **quiet** word.\n"}`)
	if code != http.StatusOK {
		t.Fatalf("PATCH = %d %s", code, got)
	}
	if !bytes.Contains(got, []byte(`"left_out":[]`)) {
		t.Errorf("PATCH without HTML = %s, want left_out []", got)
	}
	if _, got = callDocumented(t, a, token, "GET", campaign, ""); len(leftOutOf(t, got)) != 0 {
		t.Errorf("GET after the PATCH = %s, want left_out []", got)
	}

	// A change that adds a tag within a line names it at its line.
	code, got = callDocumented(t, a, token, "PATCH", campaign, `{"body":"Hi,\n\nsee <font color=\"red\">this</font>"}`)
	if diff := cmp.Diff([]leftOutJSON{{What: "<font>", Line: 3, Note: "its text is kept"}}, leftOutOf(t, got)); code != http.StatusOK || diff != "" {
		t.Errorf("PATCH with <font> = %d (-want +got):\n%s", code, diff)
	}
}

// A body without HTML leaves nothing out: left_out is [], not null or
// absent, so a client need not tell the two apart.
func TestAPICampaignLeftOutEmpty(t *testing.T) {
	_, a, token := fullServer(t)
	code, got := callDocumented(t, a, token, "POST", "/api/v1/campaigns", campaignJSON(t, "Hello {{ .Name }},\n\n[Read it](https://news.example/bridge) **today**.\n"))
	if code != http.StatusCreated || !bytes.Contains(got, []byte(`"left_out":[]`)) {
		t.Fatalf("create = %d %s, want left_out []", code, got)
	}
	campaign := "/api/v1/campaigns/" + jsonID(t, got)
	if code, got := callDocumented(t, a, token, "GET", campaign, ""); code != http.StatusOK || !bytes.Contains(got, []byte(`"left_out":[]`)) {
		t.Errorf("GET %s = %d %s, want left_out []", campaign, code, got)
	}
}

// left_out is the server's to say: a body that sends it is refused as
// one sending status is, on create and on change, and nothing changes.
func TestAPICampaignLeftOutNotTaken(t *testing.T) {
	_, a, token := fullServer(t)
	_, campaign := createCampaign(t, a, token, `{"subject":"Bridge news","body":"Hello","lists":["news"]}`)
	const create = `{"subject":"S","body":"B","lists":["news"],%s}`
	for _, c := range []struct{ method, path, body, readOnly string }{
		{"POST", "/api/v1/campaigns", create, `"status":"sent"`},
		{"POST", "/api/v1/campaigns", create, `"id":7`},
		{"PATCH", campaign, `{"subject":"Changed",%s}`, `"status":"sent"`},
	} {
		fields := map[string]map[string]string{}
		for _, member := range []string{c.readOnly, `"left_out":[]`} {
			body := strings.Replace(c.body, "%s", member, 1)
			code, got := apiCall(t, a.base, token, c.method, c.path, body)
			if code != http.StatusUnprocessableEntity {
				t.Errorf("%s %s %s = %d %v, want 422", c.method, c.path, body, code, got)
			}
			fields[member] = fieldsOf(got)
		}
		name, _, _ := strings.Cut(strings.Trim(c.readOnly, `"`), `"`)
		wantWhy := fields[c.readOnly][name]
		if why := fields[`"left_out":[]`]["left_out"]; why == "" || why != wantWhy {
			t.Errorf("%s %s: left_out is refused with %q, %s with %q: want the same", c.method, c.path, why, name, wantWhy)
		}
	}
	if why := createLeftOutWhy(t, a, token); !strings.HasPrefix(why, "cannot be set: a campaign takes subject") {
		t.Errorf("POST with left_out = %q, want it said to be the server's to set", why)
	}
	if _, p := apiCall(t, a.base, token, "GET", "/api/v1/campaigns", ""); len(p["items"].([]any)) != 1 {
		t.Errorf("GET /api/v1/campaigns = %d items after refused bodies, want 1", len(p["items"].([]any)))
	}
	if _, c := apiCall(t, a.base, token, "GET", campaign, ""); c["subject"] != "Bridge news" {
		t.Errorf("subject = %v after a refused PATCH, want Bridge news", c["subject"])
	}
}

// createLeftOutWhy is why a new campaign sending left_out is refused.
func createLeftOutWhy(t *testing.T, a *adminClient, token string) string {
	t.Helper()
	_, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns", `{"subject":"S","body":"<b>B</b>","lists":["news"],"left_out":[{"what":"<b>","line":1,"note":""}]}`)
	return fieldsOf(got)["left_out"]
}

// The document names left_out in the campaign's answers as read only and
// tells a client what to do about it.
func TestOpenAPIDocumentsLeftOut(t *testing.T) {
	doc := loadOpenAPI(t)
	p := doc.Components.Schemas["Campaign"].Value.Properties["left_out"]
	if p == nil {
		t.Fatal("Campaign has no left_out in internal/web/openapi.json")
	}
	if !p.Value.ReadOnly || !strings.Contains(p.Value.Description, "Write it in Markdown instead") {
		t.Errorf("Campaign.left_out: readOnly %v, description %q: want read only, saying to write it in Markdown instead", p.Value.ReadOnly, p.Value.Description)
	}
	for _, input := range []string{"CampaignInput", "CampaignPatch"} {
		if doc.Components.Schemas[input].Value.Properties["left_out"] != nil {
			t.Errorf("%s takes left_out, which the server refuses", input)
		}
	}
}
