package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestSubscribeWithoutAPublicListSaysNotReady: a site with no list a
// reader may join says so, on the form and after a post, rather than
// showing a form that can only fail.
func TestSubscribeWithoutAPublicListSaysNotReady(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	for _, slug := range []string{"daily-news", "weekend-culture"} {
		if err := e.store.DeleteList(ctx, slug); err != nil {
			t.Fatal(err)
		}
	}
	// editors-desk is private: still nothing a reader may join.
	for what, w := range map[string]*httptest.ResponseRecorder{
		"GET /subscribe":  e.do("GET", "/subscribe", "", ""),
		"POST /subscribe": e.form("/subscribe", url.Values{"email": {"ada@example.com"}, "list": {"editors-desk"}}),
	} {
		body := w.Body.String()
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(body, "not open for signups yet") ||
			strings.Contains(body, `name="email"`) {
			t.Errorf("%s = %d, want 503 saying the site is not ready, without a form:\n%s", what, w.Code, body)
		}
	}
}
