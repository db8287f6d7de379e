package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestAPIRefusesQueryParametersItDoesNotTake(t *testing.T) {
	e := newSubEnv(t, 0)
	if w := e.api("POST", "/api/v1/subscribers", `{"email":"ada@example.org","lists":["daily-news"],"status":"confirmed"}`); w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	fields := func(path string) map[string]string {
		t.Helper()
		w := e.api("GET", path, "")
		if w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("GET %s: %d %s, want 422", path, w.Code, w.Body)
		}
		var body struct {
			Fields map[string]string `json:"fields"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		return body.Fields
	}

	// A misspelt filter would have listed every reader.
	got := fields("/api/v1/subscribers?stauts=bounced")
	if want := `is not a parameter of GET /api/v1/subscribers; did you mean "status"?`; got["stauts"] != want {
		t.Errorf("stauts: %q, want %q", got["stauts"], want)
	}
	got = fields("/api/v1/articles?q=harbour&limit=5")
	if want := "is not a parameter of GET /api/v1/articles, which takes list, after and limit"; len(got) != 1 || got["q"] != want {
		t.Errorf("articles ?q: %v, want only q: %q", got, want)
	}
	got = fields("/api/v1/lists/daily-news?expand=1")
	if want := "is not a parameter: GET /api/v1/lists/{slug} takes none"; got["expand"] != want {
		t.Errorf("list ?expand: %q, want %q", got["expand"], want)
	}

	// A flood of them is named up to maxProblems and counted after.
	var q []string
	for i := range 25 {
		q = append(q, "p"+strings.Repeat("x", i)+"=1")
	}
	got = fields("/api/v1/lists?" + strings.Join(q, "&"))
	if len(got) != maxProblems+1 || got["…"] != "and 5 more parameters GET /api/v1/lists does not take" || got["p"] == "" {
		t.Errorf("flood: %d fields, … = %q", len(got), got["…"])
	}

	// The parameters a route takes, and none at all, still answer.
	for _, path := range []string{
		"/api/v1/subscribers?status=confirmed&list=daily-news&q=ada&limit=10",
		"/api/v1/subscribers",
		"/api/v1/articles?list=daily-news&after=0&limit=5",
		"/api/v1/lists/daily-news",
	} {
		if w := e.api("GET", path, ""); w.Code != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, w.Code, w.Body)
		}
	}

	// Without a token the answer is 401, whatever the query says.
	if w := e.json("GET", "/api/v1/subscribers?stauts=x", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", w.Code)
	}
	// The public signup takes whatever a publisher's page adds.
	w := e.json("POST", "/api/v1/subscriptions?utm_source=footer", `{"email":"grace@example.org","lists":["daily-news"]}`)
	if w.Code != http.StatusAccepted {
		t.Errorf("signup with utm_source: %d %s, want 202", w.Code, w.Body)
	}
}

func TestQueryParametersAreTheDocumentsOwn(t *testing.T) {
	for pattern, want := range map[string][]string{
		"GET /api/v1/subscribers":               {"q", "list", "status", "after", "limit"},
		"GET /api/v1/events":                    {"type", "campaign", "after", "limit"},
		"GET /api/v1/lists/{slug}/report":       {"days", "format"},
		"DELETE /api/v1/suppressions/{address}": {"reason"},
		"GET /api/v1/webhooks/{id}/deliveries":  {"after", "limit"},
		"POST /api/v1/campaigns/{id}/send":      {},
		"PATCH /api/v1/subscribers/{id}":        {},
		"GET /api/v1/subscribers/{id}/export":   {},
		"GET /api/v1/campaigns/{id}/report":     {"format"},
		"GET /api/v1/suppressions":              {"q", "after", "limit"},
		"GET /api/v1/feeds":                     {"after", "limit"},
	} {
		got, ok := queryParams[pattern]
		if !ok {
			t.Errorf("%s: not in the document", pattern)
			continue
		}
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
			t.Errorf("%s takes %v, want %v", pattern, got, want)
		}
	}
	// Every route of the API is in the table, so none escapes the check,
	// and every one behind a token documents the 422 it may answer.
	doc := loadOpenAPI(t)
	s, _, _ := fullServer(t)
	for _, p := range s.apiPatterns() {
		if _, ok := queryParams[p]; !ok {
			t.Errorf("%s: no entry in queryParams", p)
		}
		method, path, _ := strings.Cut(p, " ")
		if path == "/api/v1/openapi.json" || path == "/api/v1/subscriptions" {
			continue // public: they take any query
		}
		if op := doc.Paths.Find(path).GetOperation(method); op == nil || op.Responses.Value("422") == nil {
			t.Errorf("%s: the document gives no 422 answer", p)
		}
	}
}
