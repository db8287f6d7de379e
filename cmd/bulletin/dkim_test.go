package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	"github.com/bulletinhq/bulletin/mailer"
)

// As a new user would: keygen prints the record and refuses to overwrite
// the key; serve with a selector whose key is missing stops with exit 2
// and says how to make it; with both keys, a signup's confirmation mail
// in the outbox carries two signatures that verify.
func TestDKIMKeygenThenSignedConfirmation(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": "Harbour Gazette <news@harbour.test>"}
	run := func(args ...string) (int, string, string) {
		m, stdout, stderr := testMain(t, env)
		code := m.Main(context.Background(), args)
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := run("dkim", "keygen", "--selector", "s1")
	if code != 0 || !strings.Contains(out, `s1._domainkey.harbour.test. IN TXT ( "v=DKIM1; k=rsa; p=`) {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	if st, err := os.Stat(filepath.Join(data, "dkim", "s1.rsa.pem")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if code, _, errOut := run("dkim", "keygen", "--selector", "s1"); code != 2 || !strings.Contains(errOut, "exists") {
		t.Errorf("second keygen: exit %d, %s", code, errOut)
	}
	if code, out, errOut := run("dkim", "keygen", "--selector", "e1", "--type", "ed25519", "--domain", "Harbour.test"); code != 0 || !strings.Contains(out, `e1._domainkey.harbour.test. IN TXT ( "v=DKIM1; k=ed25519; p=`) {
		t.Fatalf("ed25519 keygen: exit %d\n%s%s", code, out, errOut)
	}
	// A list's own From domain: its key goes in that domain's folder, and
	// needs no selector setting.
	code, out, errOut = run("dkim", "keygen", "--selector", "q1", "--domain", "Quay.Test")
	if code != 0 || !strings.Contains(out, `q1._domainkey.quay.test. IN TXT ( "v=DKIM1; k=rsa; p=`) || strings.Contains(out, "BULLETIN_DKIM_SELECTOR") {
		t.Fatalf("keygen --domain quay.test: exit %d\n%s%s", code, out, errOut)
	}
	if st, err := os.Stat(filepath.Join(data, "dkim", "quay.test", "q1.rsa.pem")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("quay.test's key file: %v %v", st, err)
	}
	if code, out, _ := run("dkim", "keygen", "--selector", "x", "--type", "dsa"); code != 2 || out != "" {
		t.Errorf("keygen --type dsa: exit %d", code)
	}

	env["BULLETIN_DKIM_SELECTOR"] = "nokey"
	code, _, errOut = run("serve")
	wantFile := filepath.Join(data, "dkim", "nokey.rsa.pem")
	if code != 2 || !strings.Contains(errOut, wantFile) || !strings.Contains(errOut, "bulletin dkim keygen --selector nokey") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("serve with a missing key: exit %d, %q", code, errOut)
	}

	env["BULLETIN_DKIM_SELECTOR"], env["BULLETIN_DKIM_ED25519_SELECTOR"] = "s1", "e1"
	if code, _, errOut := run("seed"); code != 0 {
		t.Fatalf("seed: %s", errOut)
	}
	m, _, logs := testMain(t, env)
	base, stop := startServe(t, m)
	defer stop()
	resp, err := http.Post(base+"/api/v1/subscriptions", "application/json", strings.NewReader(`{"email":"zoe@example.com","name":"Zoë Ünal","lists":["daily-news"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("signup: %d", resp.StatusCode)
	}
	var msg []byte
	for deadline := time.Now().Add(15 * time.Second); msg == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if files, _ := filepath.Glob(filepath.Join(data, "outbox", "*.eml")); len(files) > 0 {
			msg, _ = os.ReadFile(files[0])
		}
	}
	if msg == nil {
		t.Fatal("no confirmation mail in the outbox")
	}
	rsa, err := dkim.Load(filepath.Join(data, "dkim"), "s1", dkim.RSA)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := dkim.Load(filepath.Join(data, "dkim"), "e1", dkim.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	dkimtest.RequireValid(t, msg, "harbour.test", 2, rsa, ed)
	if bytes.Contains(logs.Bytes(), []byte("PRIVATE")) {
		t.Errorf("a key in the log:\n%s", logs)
	}
}

// With BULLETIN_FROM at localhost (the default) keygen has no domain to
// make a record for: it says, in one sentence, to pass --domain, and
// writes nothing.
func TestDKIMKeygenAtLocalhostAsksForDomain(t *testing.T) {
	for _, from := range []string{"", "News <news@localhost>", "news@intranet"} {
		data := t.TempDir()
		m, stdout, stderr := testMain(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": from})
		code := m.Main(context.Background(), []string{"dkim", "keygen", "--selector", "s1"})
		msg := strings.TrimPrefix(stderr.String(), "bulletin dkim: ")
		if code != 2 || stdout.Len() != 0 || strings.Count(msg, "\n") != 1 || strings.Count(msg, ". ") != 0 ||
			!strings.Contains(msg, "pass --domain") || !strings.Contains(msg, "--domain example.com") {
			t.Errorf("From %q: exit %d, stdout %q, stderr %q", from, code, stdout, stderr)
		}
		if _, err := os.Stat(filepath.Join(data, "dkim")); err == nil {
			t.Errorf("From %q: keygen wrote into %s", from, filepath.Join(data, "dkim"))
		}
	}
}

// serve's signer signs a message with the keys of its From domain: the
// selectors' keys for BULLETIN_FROM's domain, a list domain's keys from
// its folder; mail of a domain with no key goes unsigned, with one
// warning for that domain.
func TestDKIMSignerPicksKeysByFromDomain(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": "news@harbour.test"}
	for _, args := range [][]string{{"--selector", "s1", "--type", "ed25519"}, {"--selector", "q1", "--type", "ed25519", "--domain", "quay.test"}} {
		if m, _, stderr := testMain(t, env); m.Main(context.Background(), append([]string{"dkim", "keygen"}, args...)) != 0 {
			t.Fatalf("keygen %v: %s", args, stderr)
		}
	}
	env["BULLETIN_DKIM_ED25519_SELECTOR"] = "s1"
	signer, logs := loadSigner(t, env)
	s1, err := dkim.Load(filepath.Join(data, "dkim"), "s1", dkim.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	q1, err := dkim.Load(filepath.Join(data, "dkim", "quay.test"), "q1", dkim.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	message := func(from string) []byte {
		return []byte("From: " + from + "\r\nTo: zoe@reader.example\r\nSubject: Hello\r\n\r\nHello.\r\n")
	}
	for _, c := range []struct {
		domain string
		key    dkim.Key
	}{{"harbour.test", s1}, {"quay.test", q1}} {
		signed, err := signer.Sign(nil, message("desk@"+strings.ToUpper(c.domain)))
		if err != nil {
			t.Fatal(err)
		}
		dkimtest.RequireValid(t, signed, c.domain, 1, c.key)
	}
	for range 3 {
		if signed, _ := signer.Sign(nil, message("desk@nokey.test")); !bytes.Equal(signed, message("desk@nokey.test")) {
			t.Errorf("mail of nokey.test signed:\n%s", signed)
		}
	}
	if n := strings.Count(logs.String(), "no DKIM key for this From domain"); n != 1 || !strings.Contains(logs.String(), "domain=nokey.test") {
		t.Errorf("%d warnings for nokey.test, want 1:\n%s", n, logs.String())
	}
}

// loadSigner is serve's DKIM signer for env, and the log it writes to.
func loadSigner(t *testing.T, env map[string]string) (mailer.Signer, *bytes.Buffer) {
	t.Helper()
	cfg, err := parseConfig(env)
	if err != nil {
		t.Fatal(err)
	}
	logs := new(bytes.Buffer)
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(logs, nil))}
	signer, err := m.loadDKIM()
	if err != nil || signer == nil {
		t.Fatalf("loadDKIM: %v, %v", signer, err)
	}
	return signer, logs
}
