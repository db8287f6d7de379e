package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The document refuses the bodies the server refuses for a limit, so a
// client generated from it, or checking against it, learns the limit
// before the server has to say it.
func TestDocumentRefusesWhatTheServerRefuses(t *testing.T) {
	router, err := gorillamux.NewRouter(loadOpenAPI(t))
	if err != nil {
		t.Fatal(err)
	}
	_, a, token := fullServer(t)
	_, campaign := createCampaign(t, a, token, `{"subject":"Hello","body":"Hi","lists":["news"]}`)
	eleven := `"a@example.com"` + strings.Repeat(`,"a@example.com"`, 10)
	for _, tc := range []struct{ name, method, path, body string }{
		{"signup without lists", "POST", "/api/v1/subscriptions", `{"email":"reader@example.com"}`},
		{"signup with no list", "POST", "/api/v1/subscriptions", `{"email":"reader@example.com","lists":[]}`},
		{"test send to 11", "POST", campaign + "/test", `{"to":[` + eleven + `]}`},
		{"webhook URL of 2001", "POST", "/api/v1/webhooks", `{"url":"https://93.184.215.14/` + strings.Repeat("x", 2001-len("https://93.184.215.14/")) + `","events":["subscriber.created"]}`},
	} {
		code, body := callDocumented(t, a, token, tc.method, tc.path, tc.body)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("%s: the server answered %d %s, want 422", tc.name, code, body)
		}
		req, err := http.NewRequest(tc.method, a.base+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: bearerPresent},
		})
		if err == nil {
			t.Errorf("%s: internal/web/openapi.json takes %s %s %.120s, which the server refuses", tc.name, tc.method, tc.path, tc.body)
		}
	}
}

// The document says what the server does where a schema cannot: the
// size of attributes, each collection's page when limit is left out, and
// "at most N" where N itself is taken.
func TestDocumentStatesTheLimitsSchemasCannot(t *testing.T) {
	doc := loadOpenAPI(t)
	for _, name := range []string{"Signup", "SubscriberInput", "SubscriberPatch"} {
		attrs := doc.Components.Schemas[name].Value.Properties["attributes"]
		if attrs == nil || !strings.Contains(attrs.Value.Description, "4 KiB") {
			t.Errorf("%s.attributes does not say it holds at most 4 KiB of JSON", name)
		}
	}
	if d := doc.Components.Schemas["Signup"].Value.Properties["lists"].Value.Description; !strings.Contains(d, "at least one") {
		t.Errorf("Signup.lists = %q: say that at least one list is needed", d)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value.Name == "limit" && p.Value.Schema.Value.Default == nil {
					t.Errorf("%s %s: limit has no default: give the page size the server uses without it", method, path)
				}
			}
		}
	}
	if under := regexp.MustCompile(`(?i)\bunder [0-9]`).FindAll(openapiJSON, -1); len(under) > 0 {
		t.Errorf(`internal/web/openapi.json says %q for limits the server takes exactly: say "at most N"`, under)
	}
}
