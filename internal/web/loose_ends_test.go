package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A signup 429 states in its words the wait its Retry-After header gives,
// on the JSON endpoint and on the form.
func TestSignup429TextMatchesRetryAfter(t *testing.T) {
	e := newSubEnv(t, 5)
	for i := range 5 {
		if w := e.json("POST", "/api/v1/subscriptions", fmt.Sprintf(`{"email":"r%d@example.com","lists":["daily-news"]}`, i)); w.Code != http.StatusAccepted {
			t.Fatalf("signup %d: status %d", i, w.Code)
		}
	}
	wantText := func(h http.Header) string {
		n, err := strconv.Atoi(h.Get("Retry-After"))
		if err != nil || n < 1 {
			t.Fatalf("Retry-After %q", h.Get("Retry-After"))
		}
		if n == 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", n)
	}
	w := e.json("POST", "/api/v1/subscriptions", `{"email":"r9@example.com","lists":["daily-news"]}`)
	var body errorBody
	json.Unmarshal(w.Body.Bytes(), &body)
	if want := wantText(w.Header()); w.Code != http.StatusTooManyRequests || !strings.Contains(body.Message, "in "+want) {
		t.Errorf("JSON: status %d, message %q, want it to say %q", w.Code, body.Message, want)
	}
	f := e.form("/subscribe", url.Values{"email": {"g@example.com"}, "list": {"daily-news"}})
	if want := wantText(f.Header()); f.Code != http.StatusTooManyRequests || !strings.Contains(f.Body.String(), want) || strings.Contains(f.Body.String(), "a minute") {
		t.Errorf("form: status %d, want the page to say %q:\n%s", f.Code, want, f.Body)
	}
	if !strings.Contains(f.Body.String(), "go back in your browser") || !strings.Contains(f.Body.String(), `<a href="/subscribe">Or start again on an empty signup form</a>`) {
		t.Errorf("form: the 429 page has no way back to the form:\n%s", f.Body)
	}
	// A one-list form over the limit is offered that form again, empty,
	// not every list's.
	one := e.form("/subscribe", url.Values{"email": {"h@example.com"}, "list": {"daily-news"}, oneListField: {"1"}})
	if want := `<a href="/subscribe?list=daily-news">Or start again on an empty signup form</a>`; one.Code != http.StatusTooManyRequests || !strings.Contains(one.Body.String(), want) {
		t.Errorf("one-list form: status %d, want the page to link %s:\n%s", one.Code, want, one.Body)
	}
}

// A send_at the API cannot read as a time is a 422 naming the field.
func TestCreateCampaignBadSendAtNamesTheField(t *testing.T) {
	_, a, _, token := campaignServer(t)
	ts := a.base
	for _, body := range []string{
		`{"subject":"Hi","body":"Hello","lists":["news"],"send_at":"tomorrow"}`,
		`{"subject":"Hi","body":"Hello","lists":["news"],"send_at":"2026-13-01T09:00:00Z"}`,
		`{"subject":"Hi","body":"Hello","lists":["news"],"send_at":42}`,
	} {
		code, got := apiCall(t, ts, token, "POST", "/api/v1/campaigns", body)
		fields, _ := got["fields"].(map[string]any)
		if code != http.StatusUnprocessableEntity || fields["send_at"] == nil || len(fields) != 1 {
			t.Errorf("%s: status %d, answer %v; want 422 with fields.send_at", body, code, got)
		}
	}
	code, got := apiCall(t, ts, token, "POST", "/api/v1/campaigns", `{"subject":"Hi",`)
	if code != http.StatusBadRequest {
		t.Errorf("broken JSON: status %d, %v", code, got)
	}
	// A PATCH says the same, with the form a time takes.
	_, created := apiCall(t, ts, token, "POST", "/api/v1/campaigns", `{"subject":"Hi","body":"Hello","lists":["news"]}`)
	code, got = apiCall(t, ts, token, "PATCH", fmt.Sprintf("/api/v1/campaigns/%v", created["id"]), `{"send_at":"tomorrow"}`)
	fields, _ := got["fields"].(map[string]any)
	if msg, _ := fields["send_at"].(string); code != http.StatusUnprocessableEntity || !strings.Contains(msg, "RFC 3339") {
		t.Errorf("PATCH send_at tomorrow: status %d, answer %v; want 422 with the RFC 3339 form in fields.send_at", code, got)
	}
}

// /admin/queues shows every queue the workers serve, also those that have
// not seen a task yet.
func TestQueuesPageShowsEveryServedQueue(t *testing.T) {
	q := queuetest.Embedded(t)
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.Inspector = asynq.NewInspectorFromRedisClient(q.Redis())
	})
	if err := queue.EnqueueUnique(t.Context(), q.Client, queue.NewReconcileTask()); err != nil {
		t.Fatal(err)
	}
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, body := a.get("/admin/queues")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, name := range []string{queue.QueueDefault, queue.QueueSend, queue.QueueResults} {
		if !strings.Contains(body, `<td data-label="Queue">`+name+"</td>") {
			t.Errorf("the page has no row for queue %q:\n%s", name, body)
		}
	}
}
