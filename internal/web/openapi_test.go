package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// loadOpenAPI parses and validates the embedded document.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapiJSON)
	if err != nil {
		t.Fatalf("internal/web/openapi.json does not parse: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("internal/web/openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// fullServer is the admin test server with every API area wired: lists
// and subscribers, signup, campaigns, digests and feeds (private feed
// URLs allowed, so a feed may be served by the test itself), with list
// "news" and reader 1 on it. It returns an API token.
func fullServer(t *testing.T) (*Server, *adminClient, string) {
	t.Helper()
	s, a, token, _ := fullServerDB(t)
	return s, a, token
}

// fullServerDB is fullServer that also returns its database, for a test
// to store what no API call makes (a bounce, a click).
func fullServerDB(t *testing.T) (*Server, *adminClient, string, *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	q := queuetest.Embedded(t)
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	var sdb *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		sdb = db
		secret := []byte("0123456789abcdef0123456789abcdef")
		s.Subscribers.SetSecret(secret)
		s.Campaigns = testCampaigns(s, db, q, out, secret)
		signups := subscribers.NewSignups(s.Subscribers, q.Client, s.Log)
		t.Cleanup(func() { signups.Close() })
		s.SubscriberDeps = SubscriberDeps{Signups: signups, Signer: subscribers.NewSigner(secret), Pages: s.Templates}
		s.DigestDeps = DigestDeps{Digests: s.Campaigns, Feeds: articles.NewFeeds(db, s.Articles, true), Archive: s.Campaigns.Store}
		s.HookDeps = HookDeps{Hooks: hooks.NewStore(db, hooks.Guard{})}
		s.TrackDeps = TrackDeps{Reports: tracking.NewReports(db)}
	})
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News", Public: true, Digest: "daily"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "ada@example.com", Name: "Ada", Status: "confirmed", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	token, err := s.Admins.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	return s, a, token, sdb
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1", doc.OpenAPI)
	}
	if doc.Components == nil || doc.Components.SecuritySchemes["bearer"] == nil || doc.Components.SecuritySchemes["bearer"].Value.Scheme != "bearer" {
		t.Error("the document declares no bearer security scheme")
	}
}

func TestOpenAPIServedWithoutToken(t *testing.T) {
	_, h := foundationServer(t, nil)
	w := do(t, h, "GET", "/api/v1/openapi.json", "", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json without a token = %d, want 200: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
	}
	if !bytes.Equal(w.Body.Bytes(), openapiJSON) {
		t.Error("the answer is not the embedded document")
	}
}

// pendingRoutes are documented operations ("METHOD /api/v1/…") whose
// handlers are not merged yet. Once one is registered,
// TestEveryAPIRouteIsDocumented says to take it off this list.
var pendingRoutes []string

func TestEveryAPIRouteIsDocumented(t *testing.T) {
	doc := loadOpenAPI(t)
	s, _, _ := fullServer(t)
	registered := s.apiPatterns()
	if len(registered) < 20 {
		t.Fatalf("only %d /api/v1 routes registered, the test server misses an area: %q", len(registered), registered)
	}
	for _, p := range registered {
		method, path, _ := strings.Cut(p, " ")
		item := doc.Paths.Value(path)
		if item == nil {
			t.Errorf("route %q is registered but its path %s is missing from internal/web/openapi.json: add paths[%q].%s", p, path, path, strings.ToLower(method))
			continue
		}
		if item.GetOperation(method) == nil {
			t.Errorf("route %q is registered but internal/web/openapi.json does not document %s on %s: add paths[%q].%s", p, method, path, path, strings.ToLower(method))
		}
		if slices.Contains(pendingRoutes, p) {
			t.Errorf("route %q is now registered: take it off pendingRoutes in openapi_test.go and add a call for it to apiChecks", p)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			p := method + " " + path
			if !slices.Contains(registered, p) && !slices.Contains(pendingRoutes, p) {
				t.Errorf("internal/web/openapi.json documents %q, but no such route is registered", p)
			}
		}
	}
}

// An apiCheck is one request of TestAPIAnswersMatchTheDocument; want is
// the status it must answer, 0 for any documented one.
type apiCheck struct {
	method, path, body string
	want               int
	noToken            bool
}

// apiChecks exercise every route, in order, on fullServer's data: list
// "news" and reader 1 on it. %[1]s in a body is the test feed's URL.
var apiChecks = []apiCheck{
	{method: "GET", path: "/api/v1/openapi.json", want: 200, noToken: true},
	{method: "GET", path: "/api/v1/lists", want: 401, noToken: true},
	{method: "GET", path: "/api/v1/lists", want: 200},
	{method: "POST", path: "/api/v1/lists", body: `{"slug":"sport","name":"Sport","digest":"weekly","timezone":"Europe/Paris"}`, want: 201},
	{method: "POST", path: "/api/v1/lists", body: `{"slug":"Bad Slug"}`, want: 422},
	{method: "POST", path: "/api/v1/lists", body: `{"slug":`, want: 400},
	{method: "GET", path: "/api/v1/lists/sport", want: 200},
	{method: "GET", path: "/api/v1/lists/nope", want: 404},
	{method: "PATCH", path: "/api/v1/lists/sport", body: `{"description":"Results and more","welcome":"**Welcome**"}`, want: 200},
	{method: "POST", path: "/api/v1/subscribers", body: `{"email":"grace@example.com","name":"Grace","status":"confirmed","lists":["news","sport"],"attributes":{"city":"Arlington"}}`, want: 201},
	{method: "POST", path: "/api/v1/subscribers", body: `{"email":"bare@example.com","lists":["news"]}`, want: 201},
	{method: "POST", path: "/api/v1/subscribers", body: `{"email":"listless@example.com"}`, want: 422},
	{method: "GET", path: "/api/v1/subscribers", want: 200},
	{method: "GET", path: "/api/v1/subscribers?q=grace&list=news&status=confirmed&limit=1", want: 200},
	{method: "GET", path: "/api/v1/subscribers?limit=1", want: 200},
	{method: "GET", path: "/api/v1/subscribers?limit=0", want: 422},
	{method: "GET", path: "/api/v1/subscribers/1", want: 200},
	{method: "GET", path: "/api/v1/subscribers/999", want: 404},
	{method: "PATCH", path: "/api/v1/subscribers/1", body: `{"name":"Ada L.","frequency":"weekly"}`, want: 200},
	{method: "GET", path: "/api/v1/subscribers/1/export", want: 200},
	{method: "OPTIONS", path: "/api/v1/subscriptions", want: 204, noToken: true},
	{method: "POST", path: "/api/v1/subscriptions", body: `{"email":"reader@example.com","name":"Reader","lists":["news"]}`, want: 202, noToken: true},
	{method: "POST", path: "/api/v1/subscriptions", body: `{"email":"not an address"}`, want: 422, noToken: true},
	{method: "POST", path: "/api/v1/articles", body: `{"title":"Bridge reopens","url":"https://news.example/bridge","summary":"At last.","lists":["news"],"published_at":"2026-11-30T08:00:00Z"}`, want: 201},
	{method: "POST", path: "/api/v1/articles", body: `{"title":"Bridge reopens","url":"https://news.example/bridge"}`, want: 200},
	{method: "GET", path: "/api/v1/articles?list=news&limit=10", want: 200},
	{method: "GET", path: "/api/v1/articles/1", want: 200},
	{method: "GET", path: "/api/v1/articles/999", want: 404},
	{method: "PATCH", path: "/api/v1/articles/1", body: `{"summary":"Open again.","image_url":"https://img.news.example/bridge.jpg","image_alt":"The bridge"}`, want: 200},
	{method: "PATCH", path: "/api/v1/articles/1", body: `{"image_url":"http://img.news.example/bridge.jpg"}`, want: 422},
	{method: "PATCH", path: "/api/v1/articles/999", body: `{"title":"Nothing"}`, want: 404},
	{method: "POST", path: "/api/v1/articles", body: `{"title":"Gone soon","url":"https://news.example/gone"}`, want: 201},
	{method: "DELETE", path: "/api/v1/articles/2", want: 204},
	{method: "DELETE", path: "/api/v1/articles/2", want: 404},
	{method: "POST", path: "/api/v1/feeds", body: `{"url":"%[1]s","list":"news"}`, want: 201},
	{method: "POST", path: "/api/v1/feeds", body: `{"url":"%[1]s","list":"news"}`, want: 200},
	{method: "GET", path: "/api/v1/feeds", want: 200},
	{method: "GET", path: "/api/v1/feeds/1", want: 200},
	{method: "PATCH", path: "/api/v1/feeds/1", body: `{"active":false}`, want: 200},
	{method: "DELETE", path: "/api/v1/feeds/1", want: 204},
	{method: "POST", path: "/api/v1/digests/run", body: `{"list":"news"}`},
	{method: "POST", path: "/api/v1/digests/run", body: `{"list":"sport"}`, want: 200},
	{method: "POST", path: "/api/v1/campaigns", body: `{"subject":"Hello","body":"Hi {{ .Name }}","lists":["news"]}`, want: 201},
	{method: "POST", path: "/api/v1/campaigns", body: `{"subject":"Later","body":"Soon","lists":["news"],"send_at":"2099-01-01T09:00:00Z"}`, want: 201},
	{method: "POST", path: "/api/v1/campaigns", body: `{"subject":"","body":"","lists":[]}`, want: 422},
	{method: "POST", path: "/api/v1/campaigns", body: `{"subject":"x"}`, want: 0},
	{method: "GET", path: "/api/v1/campaigns", want: 200},
	{method: "GET", path: "/api/v1/campaigns/LAST", want: 200},
	{method: "PATCH", path: "/api/v1/campaigns/LAST", body: `{"preheader":"Before the weekend","send_at":null}`, want: 200},
	{method: "PATCH", path: "/api/v1/campaigns/LAST", body: `{"body":"Hi {{ .Nmae }}"}`, want: 422},
	{method: "PATCH", path: "/api/v1/campaigns/999", body: `{"subject":"x"}`, want: 404},
	{method: "POST", path: "/api/v1/campaigns/LAST/duplicate", want: 201},
	{method: "DELETE", path: "/api/v1/campaigns/999", want: 404},
	{method: "POST", path: "/api/v1/campaigns/LAST/test", body: `{"to":["editor@example.com"]}`, want: 200},
	{method: "POST", path: "/api/v1/campaigns/LAST/send", want: 200},
	{method: "POST", path: "/api/v1/campaigns/LAST/send", want: 409},
	{method: "POST", path: "/api/v1/campaigns/LAST/pause", want: 200},
	{method: "POST", path: "/api/v1/campaigns/LAST/resume", want: 200},
	{method: "POST", path: "/api/v1/campaigns/LAST/cancel", want: 200},
	{method: "PATCH", path: "/api/v1/campaigns/LAST", body: `{"subject":"Too late"}`, want: 409},
	{method: "DELETE", path: "/api/v1/campaigns/LAST", want: 409},
	{method: "GET", path: "/api/v1/campaigns/LAST/report", want: 200},
	{method: "GET", path: "/api/v1/campaigns/LAST/report?format=csv", want: 200},
	{method: "GET", path: "/api/v1/campaigns/999/report", want: 404},
	{method: "GET", path: "/api/v1/lists/news/report?days=7", want: 200},
	{method: "GET", path: "/api/v1/lists/news/report?days=0", want: 422},
	{method: "GET", path: "/api/v1/lists/nope/report", want: 404},
	{method: "POST", path: "/api/v1/suppressions", body: `{"address":"Blocked@Example.com"}`, want: 201},
	{method: "POST", path: "/api/v1/suppressions", body: `{"domain":"spamtrap.example","reason":"complaint","note":"a trap"}`, want: 201},
	{method: "POST", path: "/api/v1/suppressions", body: `{"address":"blocked@example.com"}`, want: 200},
	{method: "POST", path: "/api/v1/suppressions", body: `{"domain":"no-dot"}`, want: 422},
	{method: "GET", path: "/api/v1/suppressions?q=example&limit=1", want: 200},
	{method: "GET", path: "/api/v1/suppressions", want: 200},
	{method: "DELETE", path: "/api/v1/suppressions/Blocked@Example.com", want: 204},
	{method: "DELETE", path: "/api/v1/suppressions/blocked@example.com?reason=asked+again", want: 404},
	{method: "DELETE", path: "/api/v1/suppressions/spamtrap.example", body: `{"reason":"not a trap"}`, want: 204},
	{method: "DELETE", path: "/api/v1/suppressions/nobody@example.com?reason=x", want: 404},
	{method: "GET", path: "/api/v1/events?type=bounce&campaign=LAST&after=0&limit=10", want: 200},
	{method: "GET", path: "/api/v1/events?type=open", want: 200},
	{method: "GET", path: "/api/v1/events?type=click&campaign=LAST", want: 200},
	{method: "GET", path: "/api/v1/events?type=delivery", want: 422},
	{method: "GET", path: "/api/v1/webhooks", want: 200},
	{method: "POST", path: "/api/v1/webhooks", body: `{"url":"https://93.184.215.14/in","events":["subscriber.created"],"description":"CRM"}`, want: 201},
	{method: "POST", path: "/api/v1/webhooks", body: `{"url":"http://127.0.0.1/in","events":["nope"]}`, want: 422},
	{method: "GET", path: "/api/v1/webhooks/1", want: 200},
	{method: "GET", path: "/api/v1/webhooks/999", want: 404},
	{method: "PATCH", path: "/api/v1/webhooks/1", body: `{"events":["digest.sent","link.clicked"],"active":false}`, want: 200},
	{method: "POST", path: "/api/v1/webhooks/1/test", want: 409},
	{method: "PATCH", path: "/api/v1/webhooks/1", body: `{"active":true}`, want: 200},
	{method: "POST", path: "/api/v1/webhooks/1/test", want: 202},
	{method: "GET", path: "/api/v1/webhooks/1/deliveries?limit=10", want: 200},
	{method: "DELETE", path: "/api/v1/webhooks/1", want: 204},
	{method: "DELETE", path: "/api/v1/subscribers/2", want: 204},
	{method: "DELETE", path: "/api/v1/lists/sport", want: 204},
}

const wireFeed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>Tide tables</title><link>https://wire.example/tide</link><description>High at noon.</description><pubDate>Mon, 30 Nov 2026 07:00:00 GMT</pubDate></item>
</channel></rss>`

func TestAPIAnswersMatchTheDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, wireFeed)
	}))
	t.Cleanup(feed.Close)
	s, a, token := fullServer(t)
	registered := s.apiPatterns()
	exercised := map[string]bool{}
	lastCampaign := "0"
	for _, c := range apiChecks {
		path := strings.ReplaceAll(c.path, "LAST", lastCampaign)
		body := c.body
		if strings.Contains(body, "%[1]s") {
			body = fmt.Sprintf(body, feed.URL+"/rss")
		}
		name := c.method + " " + path
		req, err := http.NewRequest(c.method, a.base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if !c.noToken {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		pattern := servedPattern(s, req)
		if !slices.Contains(registered, pattern) {
			t.Logf("%s: no such route registered yet (%s), skipped", name, resp.Status)
			continue
		}
		exercised[pattern] = true
		if c.want != 0 && resp.StatusCode != c.want {
			t.Errorf("%s = %d, want %d: %s", name, resp.StatusCode, c.want, got)
		}
		if c.method == "POST" && strings.HasSuffix(path, "/api/v1/campaigns") && resp.StatusCode == 201 {
			lastCampaign = jsonID(t, got)
		}
		if err := validateCall(router, req, body, resp, got); err != nil {
			t.Errorf("%s answered %d %s\nwhich internal/web/openapi.json does not describe: %v", name, resp.StatusCode, got, err)
		}
	}
	for _, p := range registered {
		if !exercised[p] {
			t.Errorf("route %q has no call in apiChecks: add one so its answers are checked against internal/web/openapi.json", p)
		}
	}
}

// servedPattern is the mux pattern that serves req.
func servedPattern(s *Server, req *http.Request) string {
	r := httptest.NewRequest(req.Method, req.URL.RequestURI(), nil)
	_, pattern := s.mux.Handler(r)
	return pattern
}

func jsonID(t *testing.T, body []byte) string {
	t.Helper()
	var v struct{ ID int64 }
	if err := json.Unmarshal(body, &v); err != nil || v.ID == 0 {
		t.Fatalf("no id in %s", body)
	}
	return fmt.Sprint(v.ID)
}

// validateCall checks the request and its answer against the document.
func validateCall(router routers.Router, req *http.Request, body string, resp *http.Response, got []byte) error {
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(strings.NewReader(body))
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		return fmt.Errorf("no documented operation: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearerPresent, MultiError: true},
	}
	wantValidRequest := resp.StatusCode < 400 || resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusConflict
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && wantValidRequest {
		return fmt.Errorf("request: %w", err)
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(got)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}

// bearerPresent stands for the server's own token check, which the
// answer already reflects: the document only needs the header there.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return fmt.Errorf("no bearer token")
	}
	return nil
}

func TestAdminAPIPage(t *testing.T) {
	_, a := newAdminServer(t)
	if resp, _ := a.get("/admin/api"); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Errorf("GET /admin/api without a session = %d, want a redirect to the login", resp.StatusCode)
	}
	a.login("correct horse battery")
	resp, body := a.get("/admin/api")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/api = %d: %s", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("no admin CSP on /admin/api: %q", csp)
	}
	for _, want := range []string{
		`<a href="/admin/api" class="on" aria-current="page">API</a>`,               // the nav link, marked as the current page
		`href="/api/v1/openapi.json"`,                                               // the document itself
		`<h2 id="tag-Campaigns">Campaigns</h2>`,                                     // operations grouped by tag
		`<span class="method">POST</span> <code>/api/v1/campaigns/{id}/send</code>`, // method and path
		`Sending a campaign twice is a 409.`,
		`sent as <code>Authorization: Bearer TOKEN</code>`, // Markdown code spans shown as code                                        // description
		`Write a campaign`, // summary
		`<td data-label="Name"><code>limit</code></td><td data-label="In">query</td>`,                   // a parameter
		`<td data-label="Field"><code>send_at</code></td><td data-label="Type">string (date-time)</td>`, // a request body field
		`<td data-label="Status">409</td>`,        // a response
		`<a href="#schema-Campaign">Campaign</a>`, // a response's schema, linked
		`<h3 id="schema-Campaign">Campaign</h3>`,  // and described
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/admin/api lacks %s", want)
		}
	}
	if strings.Contains(layoutScriptFree(body), "<script") {
		t.Error("/admin/api has a script; the page must work without JavaScript")
	}
	if !strings.Contains(body, "Public") {
		t.Error("/admin/api does not mark the public operations")
	}
}

func TestCodeSpans(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"send `after`", "send <code>after</code>"},
		{"`{\"a\":1}` & <b>", "<code>{&#34;a&#34;:1}</code> &amp; &lt;b&gt;"},
		{"one ` alone", "one ` alone"},
	} {
		if diff := cmp.Diff(tc.want, string(codeSpans(tc.in))); diff != "" {
			t.Errorf("codeSpans(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}
