package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
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
	if code, out, errOut := run("dkim", "keygen", "--selector", "e1", "--type", "ed25519", "--domain", "Mail.Harbour.test"); code != 0 || !strings.Contains(out, `e1._domainkey.mail.harbour.test. IN TXT ( "v=DKIM1; k=ed25519; p=`) {
		t.Fatalf("ed25519 keygen: exit %d\n%s%s", code, out, errOut)
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
