package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMainHelper is not a test: it runs Main in a child process that other
// tests start (as another user), and exits with its status.
func TestMainHelper(t *testing.T) {
	args := os.Getenv("BULLETIN_TEST_HELPER_ARGS")
	if args == "" {
		t.Skip("runs only as the child process of another test")
	}
	m := NewMain()
	m.Stdin = strings.NewReader("")
	os.Exit(m.Main(context.Background(), strings.Fields(args)))
}

// runAsNobody runs Main with args as user nobody (65534) in a copy of the
// test binary and returns its exit status and stderr.
func runAsNobody(t *testing.T, data string, args ...string) (int, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Dir(dir), 0o755) // the test's temporary root, the data folder's too
	bin := filepath.Join(dir, "bulletin.test")
	src, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(dst, src)
	src.Close()
	if cerr := dst.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	cmd := exec.Command(bin, "-test.run=^TestMainHelper$")
	cmd.Dir = dir
	cmd.Env = []string{"BULLETIN_TEST_HELPER_ARGS=" + strings.Join(args, " "), "BULLETIN_DATA=" + data,
		"BULLETIN_ADDR=127.0.0.1:0", "HOME=" + dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	} else if err != nil {
		t.Fatalf("run as nobody: %v", err)
	}
	return 0, stderr.String()
}

// A data folder Bulletin cannot write stops every command that needs it
// with exit status 2 and one line that names the folder and the fix.
func TestUnwritableDataFolderExits2(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"migrate", "serve", "seed"} {
		for _, data := range []string{filepath.Join(file, "data"), file} { // not a folder: ENOTDIR as anyone
			m, _, stderr := testMain(t, map[string]string{"BULLETIN_DATA": data})
			code := m.Main(context.Background(), []string{cmd})
			checkDataError(t, cmd+" on "+data, code, stderr.String(), data)
		}
	}

	// A folder without write permission: as root, permission bits do not
	// stop writes, so the command runs as nobody.
	ro := filepath.Join(tmp, "readonly")
	if err := os.Mkdir(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(tmp, 0o755)
	if err := os.Chmod(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"migrate", "serve"} {
		var code int
		var stderr string
		if os.Geteuid() == 0 {
			code, stderr = runAsNobody(t, ro, cmd)
		} else {
			m, _, buf := testMain(t, map[string]string{"BULLETIN_DATA": ro})
			code, stderr = m.Main(context.Background(), []string{cmd}), buf.String()
		}
		checkDataError(t, cmd+" on a read-only folder", code, stderr, ro)
	}
}

func checkDataError(t *testing.T, what string, code int, stderr, data string) {
	t.Helper()
	if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "BULLETIN_DATA "+data) ||
		!strings.Contains(stderr, "give a folder this user can write") {
		t.Errorf("%s: exit %d, stderr %q; want 2 and one line naming %s and the fix", what, code, stderr, data)
	}
}

// A second serve on the same data folder stops at once with exit status 2,
// naming the process that holds it; once the first stops, a new one starts.
func TestSecondServeOnOneDataFolderExits2(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	m, _, _ := testMain(t, env)
	_, stop := startServe(t, m)
	second, _, buf := testMain(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	code, stderr := second.Main(ctx, []string{"serve"}), buf.String()
	want := fmt.Sprintf("another bulletin serve (pid %d) runs on the data folder %s", os.Getpid(), env["BULLETIN_DATA"])
	if code != 2 || !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("second serve: exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
	pid, err := os.ReadFile(filepath.Join(env["BULLETIN_DATA"], "serve.lock"))
	if err != nil || strings.TrimSpace(string(pid)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("serve.lock holds %q, %v; want this pid", pid, err)
	}
	// The data commands still run beside serve.
	if code, _, stderr := run(t, env, "", "token", "create", "beside-serve"); code != 0 {
		t.Errorf("token create beside serve: exit %d, %s", code, stderr)
	}
	if code := stop(); code != 0 {
		t.Fatalf("first serve exited %d", code)
	}
	m, _, _ = testMain(t, env)
	_, stop = startServe(t, m)
	if code := stop(); code != 0 {
		t.Errorf("serve after the first stopped: exit %d", code)
	}
}

// serve says when the database can be read by every user of the machine,
// as one an older Bulletin created can, and leaves its mode as it is.
func TestServeWarnsOfAWorldReadableDatabase(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	path := filepath.Join(env["BULLETIN_DATA"], "bulletin.db")
	if err := os.Chmod(env["BULLETIN_DATA"], 0o755); err != nil {
		t.Fatal(err)
	}
	serveLog := func() string {
		t.Helper()
		m, _, stderr := testMain(t, env)
		_, stop := startServe(t, m)
		if code := stop(); code != 0 {
			t.Fatalf("serve exited %d: %s", code, stderr)
		}
		return stderr.String()
	}
	const warning = "bulletin.db can be read by every user of this machine"
	if log := serveLog(); strings.Contains(log, warning) {
		t.Errorf("a new database (mode 0600) was warned of:\n%s", log)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	log := serveLog()
	if !strings.Contains(log, warning) || !strings.Contains(log, "chmod 600 "+path+"*") || !strings.Contains(log, "-rw-r--r--") {
		t.Errorf("serve on a 0644 database did not say so, with the fix:\n%s", log)
	}
	if mode := mustMode(t, path); mode != 0o644 {
		t.Errorf("serve changed the mode to %v", mode)
	}
	// A group may read it: that is its owner's choice, not a warning.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if log := serveLog(); strings.Contains(log, warning) {
		t.Errorf("a 0640 database was warned of:\n%s", log)
	}
	// Nor is a 0644 one in a folder others cannot enter.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(env["BULLETIN_DATA"], 0o750); err != nil {
		t.Fatal(err)
	}
	if log := serveLog(); strings.Contains(log, warning) {
		t.Errorf("a 0644 database in a 0750 folder was warned of:\n%s", log)
	}
}

func mustMode(t *testing.T, name string) os.FileMode {
	t.Helper()
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}
