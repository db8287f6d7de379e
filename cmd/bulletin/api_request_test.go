package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// apiRequest sends a JSON API request to serve at base with a bearer
// token and returns the answer's status and body.
func apiRequest(t testing.TB, base, token, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// jsonAPI returns a caller of serve's API at base with token that
// decodes each answer's JSON object.
func jsonAPI(t testing.TB, base, token string) func(method, path, body string) (int, map[string]any) {
	return func(method, path, body string) (int, map[string]any) {
		t.Helper()
		code, raw := apiRequest(t, base, token, method, path, body)
		var out map[string]any
		json.Unmarshal(raw, &out)
		return code, out
	}
}

// apiToken creates an API token on the data folder of env and returns it.
func apiToken(t *testing.T, env map[string]string) string {
	t.Helper()
	m, stdout, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"token", "create", "ci"}); code != 0 {
		t.Fatalf("token create exited %d: %s", code, stderr)
	}
	return strings.TrimSpace(stdout.String())
}
