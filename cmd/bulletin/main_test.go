package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
)

// testMain returns a Main whose settings come only from env, with a fresh
// data folder and port 0.
func testMain(t *testing.T, env map[string]string) (*Main, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	all := map[string]string{
		"BULLETIN_ADDR":        "127.0.0.1:0",
		"BULLETIN_DATA":        t.TempDir(),
		"BULLETIN_SIGNUP_RATE": "0",
	}
	for k, v := range env {
		all[k] = v
	}
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return all[k] },
		Resolver: noDNS}
	return m, &stdout, &stderr
}

// noDNS is the resolver of a test's Main unless the test gives its own (a
// dnstest server on loopback): a page that asks the DNS, such as
// /admin/deliverability in the browser journey's walk through every admin
// page, gets an error instead of a query to the machine's name server.
var noDNS = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
	return nil, errors.New("no DNS in tests but a dnstest server's")
}}

func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// startServe runs "serve" on port 0 and returns its base URL; the
// returned function stops it as SIGTERM would and reports the exit status.
func startServe(t *testing.T, m *Main) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	listening := make(chan string, 1)
	m.Listening = listening
	go func() { exit <- m.Main(ctx, []string{"serve"}) }()
	var base string
	select {
	case addr := <-listening:
		base = "http://" + addr
	case code := <-exit:
		t.Fatalf("serve exited with %d", code)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start listening")
	}
	return base, func() int {
		cancel()
		select {
		case code := <-exit:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop within 10 s")
			return -1
		}
	}
}

func TestServeAnswersHealthReadyMetricsAndStops(t *testing.T) {
	m, _, stderr := testMain(t, nil)
	base, stop := startServe(t, m)
	if code, body := get(t, base+"/healthz"); code != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("/healthz = %d %s", code, body)
	}
	code, body := get(t, base+"/readyz")
	var ready struct {
		Status string
		Checks map[string]string
	}
	json.Unmarshal([]byte(body), &ready)
	if code != 200 || ready.Checks["sqlite"] != "ok" || ready.Checks["redis"] != "ok" {
		t.Errorf("/readyz = %d %s", code, body)
	}
	code, body = get(t, base+"/metrics")
	for _, want := range []string{"go_goroutines", "process_resident_memory_bytes", "bulletin_http_request_duration_seconds_bucket",
		`bulletin_feedback_events_total{kind="complaint",source="arf"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics (%d) lacks %s", code, want)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d after shutdown, want 0; stderr:\n%s", code, stderr)
	}
	// Probes are logged at DEBUG only; other requests at INFO.
	if !strings.Contains(stderr.String(), `route="GET /metrics" status=200`) || strings.Contains(stderr.String(), `route="GET /healthz"`) {
		t.Errorf("want a request log line for /metrics and none for /healthz in:\n%s", stderr)
	}
}

func TestServeWithRealRedis(t *testing.T) {
	url := queuetest.RedisURL(t, queuetest.DBServe)
	m, _, _ := testMain(t, map[string]string{"BULLETIN_REDIS_URL": url})
	base, stop := startServe(t, m)
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d %s", code, body)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestSeedTwiceTokenAndArticlesAPI(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	for i, want := range []string{"3 lists, 12 articles, 20 subscribers added", "0 lists, 0 articles, 0 subscribers added"} {
		m, stdout, stderr := testMain(t, env)
		if code := m.Main(context.Background(), []string{"seed"}); code != 0 {
			t.Fatalf("seed %d exited %d: %s", i, code, stderr)
		}
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("seed %d printed %q, want %q", i, stdout, want)
		}
	}
	m, stdout, _ := testMain(t, env)
	if code := m.Main(context.Background(), []string{"token", "create", "ci"}); code != 0 {
		t.Fatalf("token create exited %d", code)
	}
	token := strings.TrimSpace(stdout.String())

	m, _, _ = testMain(t, env)
	base, stop := startServe(t, m)
	defer stop()
	if code, _ := get(t, base+"/api/v1/articles"); code != http.StatusUnauthorized {
		t.Errorf("articles without a token = %d, want 401", code)
	}
	if code, _ := get(t, base+"/api/v1/articles", "Authorization", "Bearer bt_wrong"); code != http.StatusUnauthorized {
		t.Errorf("articles with a wrong token = %d, want 401", code)
	}
	code, body := get(t, base+"/api/v1/articles?limit=5", "Authorization", "Bearer "+token)
	var page struct {
		Items []struct{ Title, URL string }
		Next  int64
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil || code != 200 {
		t.Fatalf("articles = %d %s", code, body)
	}
	if len(page.Items) != 5 || page.Next == 0 {
		t.Errorf("first page has %d items, next %d; want 5 and a next id", len(page.Items), page.Next)
	}
}

func TestAdminCreate(t *testing.T) {
	m, stdout, stderr := testMain(t, nil)
	m.Stdin = strings.NewReader("a long enough passphrase\n")
	if code := m.Main(context.Background(), []string{"admin", "create", "editor@example.com"}); code != 0 {
		t.Fatalf("admin create exited %d: %s", code, stderr)
	}
	if !strings.Contains(stdout.String(), "admin editor@example.com created") {
		t.Errorf("stdout = %q", stdout)
	}
	m, _, stderr = testMain(t, nil)
	m.Stdin = strings.NewReader("short\n")
	if code := m.Main(context.Background(), []string{"admin", "create", "editor@example.com"}); code != 2 || !strings.Contains(stderr.String(), "at least 10 characters") {
		t.Errorf("short password: exit %d, stderr %q", code, stderr)
	}
}

// Exit statuses: 0 on success, 2 on bad usage, 1 on operational errors,
// each with one line on stderr.
func TestExitStatuses(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, []byte("x"), 0o600)
	cases := []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{args: []string{"version"}, code: 0},
		{args: []string{"frobnicate"}, code: 2, want: `unknown command "frobnicate"`},
		{args: []string{"serve", "extra"}, code: 2, want: "serve takes no arguments"},
		{args: []string{"token"}, code: 2, want: "use: bulletin token create NAME"},
		{args: []string{"serve"}, env: map[string]string{"BULLETIN_SMTP_CONNS": "-3"}, code: 2, want: "BULLETIN_SMTP_CONNS"},
		{args: []string{"migrate"}, env: map[string]string{"BULLETIN_DATA": filepath.Join(blocker, "sub")}, code: 2, want: "bulletin migrate: BULLETIN_DATA " + filepath.Join(blocker, "sub") + " cannot be written"},
		{args: []string{"seed", "/no/such/folder"}, code: 2, want: "/no/such/folder does not exist: give a folder that holds lists.json"},
		{args: []string{"admin", "create", "x@example.com"}, code: 2, want: "give the password on stdin"},
	}
	for _, tc := range cases {
		m, stdout, stderr := testMain(t, tc.env)
		code := m.Main(context.Background(), tc.args)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, tc.code, stderr)
		}
		if tc.want != "" && (!strings.Contains(stderr.String(), tc.want) || strings.Count(stderr.String(), "\n") != 1) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
		if tc.args[0] == "version" && !strings.HasPrefix(stdout.String(), "bulletin ") {
			t.Errorf("version printed %q", stdout)
		}
	}
}

// A command's -h says how to call it and what it does before the settings.
func TestCommandHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "-h"}, "Usage: bulletin token create NAME\n  print a new API token\n"},
		{[]string{"import", "--help"}, "Usage: bulletin import FILE.csv [--list SLUG] [--confirmed | --reconfirm] [--overwrite-names]\n  import subscribers\n"},
		{[]string{"serve", "-h"}, "Usage: bulletin serve [--no-send]\n  HTTP server, queue worker and scheduler\n"},
	} {
		m, stdout, _ := testMain(t, map[string]string{"BULLETIN_DATA": t.TempDir()})
		if code := m.Main(context.Background(), tt.args); code != 0 {
			t.Errorf("%v: exit %d", tt.args, code)
		}
		if got := stdout.String(); !strings.HasPrefix(got, tt.want) || !strings.Contains(got, "-data") {
			t.Errorf("%v printed:\n%s\nwant it to start with:\n%s", tt.args, got, tt.want)
		}
	}
}
