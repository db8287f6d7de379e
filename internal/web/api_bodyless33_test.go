package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A body sent to an API operation that takes none is refused with 422
// before anything is done: a send with {"send_at":…} does not send at
// once, a DELETE with a body deletes nothing. Every such operation the
// server routes is tried, each answer held to the document.
func TestOperationsThatTakeNoBodyRefuseOne(t *testing.T) {
	_, a, token := fullServer(t)
	_, campaign := createCampaign(t, a, token, `{"subject":"Hello","body":"Hi","lists":["news"]}`)
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/articles", `{"title":"Bridge","url":"https://news.example/bridge"}`); code != http.StatusCreated {
		t.Fatalf("create article = %d %v", code, got)
	}
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/webhooks", `{"url":"https://93.184.215.14/in","events":["subscriber.created"]}`); code != http.StatusCreated {
		t.Fatalf("create webhook = %d %v", code, got)
	}
	id := strings.TrimPrefix(campaign, "/api/v1/campaigns/")
	s, _, _ := fullServer(t) // only for its routes
	tried := 0
	for _, p := range s.apiPatterns() {
		if !bodyless[p] || p == "GET /api/v1/openapi.json" || strings.HasPrefix(p, "OPTIONS ") {
			continue // public: a body there is read by no one
		}
		method, path, _ := strings.Cut(p, " ")
		path = strings.NewReplacer("{slug}", "news", "{id}", "1").Replace(path)
		if strings.HasPrefix(path, "/api/v1/campaigns/1") {
			path = strings.Replace(path, "/campaigns/1", "/campaigns/"+id, 1)
		}
		for _, body := range []string{`{"dry_run":true,"send_at":"2030-01-01T00:00:00Z"}`, `x`} {
			tried++
			code, got := callDocumented(t, a, token, method, path, body)
			var e errorBody
			json.Unmarshal(got, &e)
			if code != http.StatusUnprocessableEntity || e.Error != "validation" || !strings.Contains(e.Message, p+" takes no body") {
				t.Errorf("%s %s with %s = %d %s, want 422 saying %q takes no body", method, path, body, code, got, p)
			}
		}
	}
	if tried < 20 {
		t.Fatalf("only %d calls tried: the routes that take no body are not found", tried/2)
	}
	// Nothing was done: the campaign is a draft, nothing was deleted.
	for path, want := range map[string]string{campaign: "draft", "/api/v1/subscribers/1": "confirmed"} {
		if code, got := apiCall(t, a.base, token, "GET", path, ""); code != http.StatusOK || got["status"] != want {
			t.Errorf("GET %s = %d %v, want status %q", path, code, got, want)
		}
	}
	for _, path := range []string{"/api/v1/lists/news", "/api/v1/articles?limit=1", "/api/v1/webhooks/1"} {
		if code, got := apiCall(t, a.base, token, "GET", path, ""); code != http.StatusOK {
			t.Errorf("GET %s = %d %v, want 200: a refused call deleted it", path, code, got)
		}
	}
	if code, got := apiCall(t, a.base, token, "GET", "/api/v1/articles", ""); code != http.StatusOK || len(got["items"].([]any)) != 1 {
		t.Errorf("GET /api/v1/articles = %d %v, want the one article", code, got)
	}
}

// The refusal says what to do instead where a body shows what was meant,
// whatever the body's content type; an empty body, or one of only
// whitespace, is no body.
func TestSendWithABodySaysHowToSchedule(t *testing.T) {
	_, a, token := fullServer(t)
	_, campaign := createCampaign(t, a, token, `{"subject":"Hello","body":"Hi","lists":["news"]}`)
	for _, ctype := range []string{"application/json", "text/plain", ""} {
		req, _ := http.NewRequest("POST", a.base+campaign+"/send", strings.NewReader(`{"send_at":"2030-01-01T00:00:00Z"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e errorBody
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(e.Message, "PATCH /api/v1/campaigns/{id} with send_at") {
			t.Errorf("send with a body as %q = %d %+v, want 422 saying to PATCH send_at", ctype, resp.StatusCode, e)
		}
	}
	if code, got := callDocumented(t, a, token, "POST", campaign+"/send", " \r\n\t "); code != http.StatusOK {
		t.Fatalf("send with a body of whitespace = %d %s, want 200", code, got)
	}
	if code, got := apiCall(t, a.base, token, "POST", campaign+"/pause", ""); code != http.StatusOK {
		t.Errorf("pause with no body = %d %v, want 200", code, got)
	}
}

// A body over MaxBodyBytes sent to an operation that takes none is the
// 422 of any body there, not a 413, announced or found while reading;
// the document lists no 413 for such an operation.
func TestOperationThatTakesNoBodyRefusesALargeOneAs422(t *testing.T) {
	e := newSubEnv(t, 0)
	big := `{"reason":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	for _, chunked := range []bool{false, true} {
		r := httptest.NewRequest("DELETE", "/api/v1/subscribers/999", strings.NewReader(big))
		if chunked {
			r.ContentLength = -1
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+e.token)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "takes no body") {
			t.Errorf("DELETE with a body over 1 MiB (chunked %v) = %d %.200s, want 422 saying it takes no body", chunked, w.Code, w.Body)
		}
	}
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil && op.Responses.Value("413") != nil {
				t.Errorf("%s %s takes no body but documents a 413", method, path)
			}
		}
	}
}

// No answer to a request with a token may be kept by a cache: readers'
// addresses are in most of them, errors included.
func TestAPIAnswersAreNotStored(t *testing.T) {
	_, a, token := fullServer(t)
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/subscribers", ""},
		{"GET", "/api/v1/subscribers/1", ""},
		{"GET", "/api/v1/events", ""},
		{"GET", "/api/v1/lists", ""},
		{"GET", "/api/v1/subscribers/999", ""},
		{"POST", "/api/v1/subscribers", `{"email":"grace@example.com"}`},
		{"PATCH", "/api/v1/subscribers/1", `{"name":"Ada L."}`},
		{"GET", "/api/v1/nothing-here", ""},
	} {
		req, _ := http.NewRequest(c.method, a.base+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s %s = %d with Cache-Control %q, want no-store", c.method, c.path, resp.StatusCode, got)
		}
	}
}
