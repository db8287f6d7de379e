package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// "bulletin --version" prints what "bulletin version" prints.
func TestVersionFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		m, stdout, stderr := testMain(t, nil)
		if code := m.Main(context.Background(), args); code != 0 || !strings.HasPrefix(stdout.String(), "bulletin ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// A command's -h lists its own flags first, then the settings it uses
// once, under a heading: every setting, or for a command that uses only
// some (settingsUsed), those.
func TestCommandHelpOwnFlagsFirst(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		own     []string
		heading string
	}{
		{[]string{"digest", "-h"}, []string{"-list"}, "Settings, as flags or as the environment variables in brackets:"},
		{[]string{"import", "-h"}, []string{"-list", "-confirmed"}, "Settings, as flags or as the environment variables in brackets:"},
		{[]string{"export", "--help"}, []string{"-list"}, "Settings it uses, as flags or as the environment variables in brackets:"},
		{[]string{"serve", "-h"}, nil, "Settings, as flags or as the environment variables in brackets:"},
	} {
		m, stdout, _ := testMain(t, nil)
		if code := m.Main(context.Background(), tc.args); code != 0 {
			t.Errorf("%v: exit %d", tc.args, code)
		}
		out := stdout.String()
		if strings.Count(out, tc.heading) != 1 || strings.Count(out, "  -data") != 1 {
			t.Errorf("%v: want the settings once under %q:\n%s", tc.args, tc.heading, out)
			continue
		}
		settingsAt := strings.Index(out, tc.heading)
		if i := strings.Index(out, "  -data"); i < settingsAt {
			t.Errorf("%v: -data is not under the settings heading:\n%s", tc.args, out)
		}
		for _, f := range tc.own {
			if i := strings.Index(out, "\n  "+f); i < 0 || i > settingsAt {
				t.Errorf("%v: %s is not listed before the settings:\n%s", tc.args, f, out)
			}
		}
	}
}

// Every command's error is one plain sentence after "bulletin CMD: ": no
// "code=… message=…", no repeated prefix.
func TestCLIErrorsArePlain(t *testing.T) {
	data := t.TempDir()
	if m, _, stderr := testMain(t, map[string]string{"BULLETIN_DATA": data}); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("email\nx@example.com\n"), 0o600)
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"BULLETIN_ADMIN_EMAIL": "bad", "BULLETIN_ADMIN_PASSWORD": "a long passphrase"}, []string{"serve"}, `bulletin serve: BULLETIN_ADMIN_EMAIL, BULLETIN_ADMIN_PASSWORD: "bad" is not an email address: write the address alone, like name@example.com.`},
		{nil, []string{"digest", "run", "--list", "nope"}, `bulletin digest: There is no list "nope".`},
		{nil, []string{"import", filepath.Join(data, "missing.csv"), "--list", "daily-news"}, "bulletin import: " + filepath.Join(data, "missing.csv") + " does not exist: give the CSV file to import"},
		{nil, []string{"import", bad, "--list", "nope"}, `bulletin import: There is no list "nope".`},
		{nil, []string{"export", "--list", "nope"}, `bulletin export: There is no list "nope".`},
		{nil, []string{"restore", filepath.Join(data, "missing.db")}, "bulletin restore: "},
	} {
		env := map[string]string{"BULLETIN_DATA": data}
		for k, v := range tc.env {
			env[k] = v
		}
		m, _, stderr := testMain(t, env)
		code := mainWithin(t, m, tc.args)
		got := stderr.String()
		if code == 0 || !strings.HasPrefix(got, tc.want) || strings.Count(got, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q, want one line starting %q", tc.args, code, got, tc.want)
		}
		if strings.Contains(got, "code=") || strings.Contains(got, "message=") {
			t.Errorf("%v: stderr %q is not a plain sentence", tc.args, got)
		}
		if strings.Contains(got, ": "+tc.args[0]+": ") {
			t.Errorf("%v: stderr %q repeats the command", tc.args, got)
		}
	}
}

// A templates folder that does not exist or holds a broken template, and a
// listen address that cannot be listened on, stop the program with exit 2
// and a line naming the setting.
func TestBadTemplatesAndAddrExit2(t *testing.T) {
	broken := t.TempDir()
	os.MkdirAll(filepath.Join(broken, "pages"), 0o755)
	os.WriteFile(filepath.Join(broken, "pages", "subscribe.html"), []byte(`{{define "content"}}{{.Oops`), 0o600)
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"BULLETIN_TEMPLATES": filepath.Join(t.TempDir(), "nope")}, []string{"serve"}, "BULLETIN_TEMPLATES"},
		{map[string]string{"BULLETIN_TEMPLATES": filepath.Join(t.TempDir(), "nope")}, []string{"digest", "run", "--list", "daily-news"}, "BULLETIN_TEMPLATES"},
		{map[string]string{"BULLETIN_TEMPLATES": broken}, []string{"serve"}, "BULLETIN_TEMPLATES"},
		{map[string]string{"BULLETIN_ADDR": "nonsense"}, []string{"serve"}, "BULLETIN_ADDR"},
		{map[string]string{"BULLETIN_ADDR": "127.0.0.1:http-ish"}, []string{"serve"}, "BULLETIN_ADDR"},
		{map[string]string{"BULLETIN_ADDR": "127.0.0.1:99999"}, []string{"serve"}, "BULLETIN_ADDR"},
		{map[string]string{"BULLETIN_ADDR": "no such host!:8080"}, []string{"serve"}, "BULLETIN_ADDR"},
	} {
		m, _, stderr := testMain(t, tc.env)
		code := mainWithin(t, m, tc.args)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 and one line naming %s", tc.env, tc.args, code, stderr, tc.want)
		}
	}
}

// mainWithin runs args, stopping a command that should have refused to
// start (serve) after a few seconds as SIGTERM would.
func mainWithin(t *testing.T, m *Main, args []string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return m.Main(ctx, args)
}

// Mail built outside serve (digest run, import's confirmations) takes its
// links from the same public URL serve uses: BULLETIN_BASE_URL, or one
// derived from BULLETIN_ADDR that a reader can follow (localhost for a
// wildcard address, never "http://:8080" or "http://0.0.0.0:8080").
func TestMailOutsideServeUsesServeBaseURL(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"BULLETIN_ADDR": ":8080"}, "http://localhost:8080/"},
		{map[string]string{"BULLETIN_ADDR": "0.0.0.0:9000"}, "http://localhost:9000/"},
		{map[string]string{"BULLETIN_ADDR": "[::]:9000"}, "http://localhost:9000/"},
		{map[string]string{"BULLETIN_ADDR": "127.0.0.1:9000"}, "http://127.0.0.1:9000/"},
		{map[string]string{"BULLETIN_ADDR": ":8080", "BULLETIN_BASE_URL": "https://news.example.com/"}, "https://news.example.com/"},
	} {
		m, _, _ := testMain(t, tc.env)
		if _, err := m.ParseFlags("digest", nil, nil); err != nil {
			t.Fatal(err)
		}
		if got := m.Config.BaseURL + "/"; got != tc.want {
			t.Errorf("%v: base URL %q, want %q", tc.env, got, tc.want)
		}
	}

	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_ADDR": ":8080"}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}) != 0 {
		t.Fatalf("digest run: %s", stderr)
	}
	files, _ := filepath.Glob(filepath.Join(env["BULLETIN_DATA"], "outbox", "*.eml"))
	if len(files) == 0 {
		t.Fatal("digest run wrote no mail")
	}
	raw, _ := os.ReadFile(files[0])
	msg := strings.ReplaceAll(string(raw), "=\r\n", "")
	if !strings.Contains(msg, "<http://localhost:8080/unsubscribe/") || strings.Contains(msg, "http://:8080") {
		t.Errorf("digest mail links do not start with http://localhost:8080:\n%s", msg)
	}
}

// import of pending readers sends their confirmations before it exits with
// the embedded Redis (no serve could see its tasks), and queues them on a
// shared Redis for serve, at once rather than at the next reconcile.
func TestImportSendsConfirmationsAtOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(file, []byte("email,name\nann@example.com,Ann\nbob@example.com,Bob\n"), 0o600)
	seedEnv := func(env map[string]string) {
		t.Helper()
		if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
			t.Fatalf("seed: %s", stderr)
		}
	}

	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_BASE_URL": "https://news.example.com"}
	seedEnv(env)
	m, stdout, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"import", file, "--list", "daily-news"}); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
	if !strings.Contains(stdout.String(), "2 confirmation mails sent") {
		t.Errorf("import printed %q", stdout)
	}
	var confirms int
	files, _ := filepath.Glob(filepath.Join(env["BULLETIN_DATA"], "outbox", "*.eml"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		if strings.Contains(strings.ReplaceAll(string(raw), "=\r\n", ""), "https://news.example.com/confirm/") {
			confirms++
		}
	}
	if confirms != 2 {
		t.Errorf("outbox holds %d confirmation mails with links on the public URL, want 2", confirms)
	}

	mr := miniredis.RunT(t)
	env = map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_REDIS_URL": "redis://" + mr.Addr() + "/0"}
	seedEnv(env)
	m, stdout, stderr = testMain(t, env)
	if code := m.Main(context.Background(), []string{"import", file, "--list", "daily-news"}); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: mr.Addr()})
	defer insp.Close()
	tasks, err := insp.ListPendingTasks(queue.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	var items int
	for _, task := range tasks {
		if task.Type == queue.TypeSubscriberConfirm {
			p, _ := queue.ParseConfirmTask(asynq.NewTask(task.Type, task.Payload))
			items += len(p.Items)
		}
	}
	if items != 2 || !strings.Contains(stdout.String(), "2 confirmation mails queued") {
		t.Errorf("%d confirmations queued on Redis, want 2; import printed %q", items, stdout)
	}
}
