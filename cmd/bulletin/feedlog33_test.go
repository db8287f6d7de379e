package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

// A feed poll that fails is a warning in serve's own log, as slog text
// on its stderr, not a line of Go's standard log elsewhere.
func TestFeedWarningsAreServesLog(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(feed.Close)
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_ALLOW_PRIVATE_FEEDS": "1"}
	code, out, errOut := run(t, env, "", "token", "create", "ci")
	token := regexp.MustCompile(`bt_[A-Za-z0-9_-]+`).FindString(out)
	if code != 0 || token == "" {
		t.Fatalf("token create = %d %q %s", code, out, errOut)
	}
	m, _, stderr := testMain(t, env)
	base, stop := startServe(t, m)
	api := func(method, path, body string) int {
		t.Helper()
		code, _ := apiRequest(t, base, token, method, path, body)
		return code
	}
	if code := api("POST", "/api/v1/lists", `{"slug":"news","name":"News"}`); code != http.StatusCreated {
		t.Fatalf("create list = %d", code)
	}
	// A 503 is a passing failure: the feed is added, its poll failed.
	if code := api("POST", "/api/v1/feeds", `{"url":"`+feed.URL+`/rss","list":"news"}`); code != http.StatusCreated {
		t.Fatalf("add feed = %d", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	if !regexp.MustCompile(`(?m)^time=\S+ level=WARN msg="feed poll failed" feed=1 `).MatchString(stderr.String()) {
		t.Errorf("serve's log has no slog line for the failed poll:\n%s", stderr)
	}
}
