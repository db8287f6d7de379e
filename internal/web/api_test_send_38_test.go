package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The API's test send names every address at fault in its 422, as the
// campaign page's test form does, and how many were given past the
// limit; it named the first only, so a script learnt of the others one
// call at a time. Nothing is sent while one is at fault.
func TestAPITestSendNamesEveryBadAddress_38(t *testing.T) {
	_, a, out, token := campaignServer(t)
	_, path := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi","lists":["news"]}`)
	eleven := `"a@example.com"` + strings.Repeat(`,"a@example.com"`, 10)
	for _, tc := range []struct{ name, body, want string }{
		{"three bad among good ones", `{"to":["ed@","ok@example.com","fay@example","not an address"]}`,
			`"ed@": write the domain after the @, like name@example.com; ` +
				`"fay@example": check the domain after the @: write it whole, with its ending, like example.com; ` +
				`"not an address": enter just the address, like name@example.com`},
		{"one bad", `{"to":["ok@example.com","ed..b@example.com"]}`,
			`"ed..b@example.com": check the part before the @: a dot may not start or end it, nor follow another dot`},
		{"eleven", `{"to":[` + eleven + `]}`, "give from 1 to 10 addresses: you gave 11"},
		{"none", `{"to":[]}`, "give from 1 to 10 addresses"},
	} {
		code, body := callDocumented(t, a, token, "POST", path+"/test", tc.body)
		var got struct {
			Error  string            `json:"error"`
			Fields map[string]string `json:"fields"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s: decode %s: %v", tc.name, body, err)
		}
		if code != http.StatusUnprocessableEntity || got.Error != "validation" {
			t.Errorf("%s: %d %s, want 422 validation", tc.name, code, body)
		}
		if diff := cmp.Diff(map[string]string{"to": tc.want}, got.Fields); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", tc.name, diff)
		}
	}
	if names, _ := out.List(0); len(names) != 0 {
		t.Errorf("the outbox holds %d mails after refused tests, want none", len(names))
	}
	// An unknown campaign is still a 404 before the addresses' faults.
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/campaigns/999999/test", `{"to":["ed@","fay@example"]}`); code != http.StatusNotFound {
		t.Errorf("test of no campaign with bad addresses = %d %v, want 404", code, got)
	}
	if code, got := apiCall(t, a.base, token, "POST", path+"/test", `{"to":["ed@example.com","fay@example.com"]}`); code != http.StatusOK {
		t.Errorf("test to two good addresses = %d %v, want 200", code, got)
	}
	if names, _ := out.List(0); len(names) != 2 {
		t.Errorf("the outbox holds %d mails after a test to two, want 2", len(names))
	}
}

// The document says that the 422 names every address at fault, with an
// example the server's answer starts as.
func TestOpenAPITestSendSaysEveryAddress_38(t *testing.T) {
	op := loadOpenAPI(t).Paths.Find("/api/v1/campaigns/{id}/test").Post
	if !strings.Contains(op.Description, "names every such address") {
		t.Errorf("POST /api/v1/campaigns/{id}/test: description %q does not say the 422 names every bad address", op.Description)
	}
	m := regexp.MustCompile("such as `(.*?)…`").FindStringSubmatch(op.Description)
	if m == nil {
		t.Fatalf("POST /api/v1/campaigns/{id}/test: description %q gives no example", op.Description)
	}
	_, a, _, token := campaignServer(t)
	_, path := createCampaign(t, a, token, `{"subject":"Bridge","body":"Hi","lists":["news"]}`)
	_, got := apiCall(t, a.base, token, "POST", path+"/test", `{"to":["ed@","fay@example"]}`)
	fields, _ := got["fields"].(map[string]any)
	if to := fmt_(fields["to"]); !strings.HasPrefix(to, m[1]) {
		t.Errorf("the document's example %q is not how the answer starts: %q", m[1], to)
	}
}
