package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// foundationServer is a Server on a real SQLite file with the given checks.
func foundationServer(t *testing.T, checks map[string]Check) (*Server, http.Handler) {
	t.Helper()
	s, _ := unroutedServer(t, checks)
	return s, s.Handler()
}

// cheapAdmins is an admins.Store hashing passwords at bcrypt's lowest cost:
// at the default cost one hash takes over a second under the race
// detector, and most tests here log an editor in. internal/admins checks
// that a real store uses the default cost.
func cheapAdmins(db *sqlite.DB) *admins.Store {
	s := admins.NewStore(db)
	s.Cost = bcrypt.MinCost
	return s
}

// unroutedServer is foundationServer before Handler, with its database, so
// a test can add dependencies first.
func unroutedServer(t *testing.T, checks map[string]Check) (*Server, *sqlite.DB) {
	t.Helper()
	db := sqlitetest.Open(t)
	s := &Server{
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Checks:      checks,
		Admins:      cheapAdmins(db),
		Articles:    articles.NewStore(db),
		Subscribers: subscribers.NewStore(db),
		Events:      events.NewStore(db),
	}
	return s, db
}

func TestReadyzNamesTheCheckThatFailed(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp 10.1.2.3:6379: secret detail") }
	cases := []struct {
		name   string
		checks map[string]Check
		status int
		want   map[string]string
	}{
		{"all up", map[string]Check{"sqlite": ok, "redis": ok}, 200, map[string]string{"sqlite": "ok", "redis": "ok"}},
		{"redis down", map[string]Check{"sqlite": ok, "redis": down}, 503, map[string]string{"sqlite": "ok", "redis": "down"}},
		{"sqlite down", map[string]Check{"sqlite": down, "redis": ok}, 503, map[string]string{"sqlite": "down", "redis": "ok"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, h := foundationServer(t, tc.checks)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			var got struct{ Checks map[string]string }
			json.Unmarshal(rec.Body.Bytes(), &got)
			if rec.Code != tc.status {
				t.Errorf("status = %d, want %d", rec.Code, tc.status)
			}
			if diff := cmp.Diff(tc.want, got.Checks); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
			if strings.Contains(rec.Body.String(), "secret detail") {
				t.Error("the error text leaked into the response")
			}
		})
	}
}

func TestAPIErrorsHaveTheSpecShape(t *testing.T) {
	s, h := foundationServer(t, nil)
	token, err := s.Admins.CreateToken(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	big := `{"title":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	cases := []struct {
		name, method, path, ctype, body, auth string
		status                                int
		code                                  string
	}{
		{"no token", "GET", "/api/v1/articles", "", "", "", 401, "unauthorized"},
		{"bad token", "GET", "/api/v1/articles", "", "", "Bearer bt_nope", 401, "unauthorized"},
		{"unknown route", "GET", "/api/v1/nothing", "", "", "Bearer " + token, 404, "not_found"},
		{"wrong content type", "POST", "/api/v1/articles", "text/plain", "{}", "Bearer " + token, 415, "unsupported_media_type"},
		{"malformed JSON", "POST", "/api/v1/articles", "application/json", `{"title":`, "Bearer " + token, 400, "bad_request"},
		{"two values", "POST", "/api/v1/articles", "application/json", `{} {}`, "Bearer " + token, 400, "bad_request"},
		{"too large", "POST", "/api/v1/articles", "application/json", big, "Bearer " + token, 413, "too_large"},
		{"wrong type", "POST", "/api/v1/articles", "application/json", `{"title":7}`, "Bearer " + token, 422, "validation"},
		{"invalid", "POST", "/api/v1/articles", "application/json", `{"title":"T","url":"ftp://x"}`, "Bearer " + token, 422, "validation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var got errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q is not JSON: %v", rec.Body, err)
			}
			if rec.Code != tc.status || got.Error != tc.code || got.Message == "" {
				t.Errorf("got %d %+v, want %d %s", rec.Code, got, tc.status, tc.code)
			}
		})
	}
}

func TestArticlesAPICreatesOnceByURL(t *testing.T) {
	s, h := foundationServer(t, nil)
	ctx := context.Background()
	token, _ := s.Admins.CreateToken(ctx, "test")
	if err := s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News"}); err != nil {
		t.Fatal(err)
	}
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/v1/articles", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	body := `{"title":"Bridge reopens","url":"https://example.com/a","summary":"S","author":"A","published_at":"2026-11-20T08:00:00Z","lists":["news"]}`
	if rec := post(body); rec.Code != 201 || !strings.Contains(rec.Body.String(), `"id":1`) {
		t.Fatalf("first POST = %d %s", rec.Code, rec.Body)
	}
	if rec := post(strings.Replace(body, "Bridge reopens", "Bridge reopens (updated)", 1)); rec.Code != 200 {
		t.Fatalf("second POST = %d %s", rec.Code, rec.Body)
	}
	if rec := post(strings.Replace(body, `["news"]`, `["nope"]`, 1)); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"lists"`) {
		t.Errorf("unknown list = %d %s", rec.Code, rec.Body)
	}
	req := httptest.NewRequest("GET", "/api/v1/articles?list=news", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var got struct {
		Items []struct {
			Title string
			Lists []string
		}
		Next any
	}
	json.Unmarshal(rec.Body.Bytes(), &got)
	if len(got.Items) != 1 || got.Items[0].Title != "Bridge reopens (updated)" || got.Next != nil {
		t.Errorf("GET = %s", rec.Body)
	}
}

func TestPanicsBecomePlain500s(t *testing.T) {
	s, _ := foundationServer(t, nil)
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("db password is hunter2") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("panic answered %d %q", rec.Code, rec.Body)
	}
}
