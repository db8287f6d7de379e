package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/deliverability/dnstest"
	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// README's DKIM steps after the web setup saved a From at example.com
// while BULLETIN_FROM keeps its default at localhost: keygen puts the key
// in example.com's folder and says no setting is needed, and serve signs
// a reader's confirmation once, d=example.com s=s1, without
// BULLETIN_DKIM_SELECTOR and with it set to s1 as well (a line says it is
// not needed, where serve used to stop). The old error's way out, keygen
// again with BULLETIN_FROM at example.com, no longer makes a second key
// of s1._domainkey.example.com.
func TestDKIMReadmeStepsSignOnceForTheSettingsFrom(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if code, _, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	saveSettings(t, data, pubsettings.Publication{Name: "Example News", FromName: "Example News", FromAddress: "news@example.com", Credit: true})
	keygen := []string{"dkim", "keygen", "--selector", "s1"}
	code, out, stderr := run(t, env, "", keygen...)
	if code != 0 || !strings.Contains(out, "s1._domainkey.example.com. IN TXT") {
		t.Fatalf("keygen: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if !strings.Contains(out, "No setting is needed") || strings.Contains(out, "BULLETIN_DKIM_SELECTOR") {
		t.Errorf("keygen of the settings' From domain does not say that no setting is needed:\n%s", out)
	}
	keyFile := filepath.Join(data, "dkim", "example.com", "s1.rsa.pem")
	key, err := dkim.Load(filepath.Dir(keyFile), "s1", dkim.RSA)
	if err != nil {
		t.Fatal(err)
	}

	srv := smtptest.Start(t)
	env["BULLETIN_SMTP_URL"] = srv.URL()
	for i, selector := range []string{"", "s1"} {
		env["BULLETIN_DKIM_SELECTOR"] = selector
		m, _, logs := testMain(t, env)
		base, stop := startServe(t, m)
		reader := fmt.Sprintf("reader%d@reader.example", i)
		resp, err := http.Post(base+"/api/v1/subscriptions", "application/json",
			strings.NewReader(`{"email":"`+reader+`","lists":["daily-news"]}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		msg := messageTo(t, srv, reader)
		if code := stop(); code != 0 {
			t.Fatalf("BULLETIN_DKIM_SELECTOR=%q: serve exited %d:\n%s", selector, code, logs)
		}
		if !strings.Contains(string(msg), "From: \"Example News\" <news@example.com>") && !strings.Contains(string(msg), "From: Example News <news@example.com>") {
			t.Fatalf("the confirmation is not From the settings' address:\n%s", msg)
		}
		dkimtest.RequireValid(t, msg, "example.com", 1, key)
		if sigs := signatures(t, msg); len(sigs) != 1 || sigs[0] != "d=example.com s=s1" {
			t.Errorf("BULLETIN_DKIM_SELECTOR=%q: signatures %q, want one d=example.com s=s1", selector, sigs)
		}
		note := regexp.MustCompile(`(?m)^.*BULLETIN_DKIM_SELECTOR=s1 is not needed.*$`).FindAllString(logs.String(), -1)
		switch {
		case selector == "" && len(note) > 0:
			t.Errorf("without the setting, serve speaks of it:\n%s", note)
		case selector == "s1" && (len(note) != 1 || !strings.Contains(note[0], keyFile) || !strings.Contains(note[0], "remove BULLETIN_DKIM_SELECTOR")):
			t.Errorf("with BULLETIN_DKIM_SELECTOR=s1, serve does not say once that %s signs and the setting is not needed:\n%s", keyFile, logs)
		}
	}

	env["BULLETIN_FROM"] = "news@example.com"
	code, _, stderr = run(t, env, "", keygen...)
	saidOneLine(t, keygen, code, stderr, 2, keyFile, "s1._domainkey.example.com", "pick another selector")
	if _, err := os.Stat(filepath.Join(data, "dkim", "s1.rsa.pem")); err == nil {
		t.Error("keygen made a second key of s1._domainkey.example.com")
	}
}

// messageTo returns the first message srv got for to, failing t when none
// has come within 20 seconds.
func messageTo(t *testing.T, srv *smtptest.Server, to string) []byte {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, msg := range srv.Messages() {
			if len(msg.To) == 1 && msg.To[0] == to {
				return msg.Data
			}
		}
	}
	t.Fatalf("no message to %s arrived", to)
	return nil
}

// signatures returns the d= and s= of each DKIM-Signature of msg.
func signatures(t *testing.T, msg []byte) []string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range m.Header["Dkim-Signature"] {
		tags := map[string]string{}
		for _, tag := range strings.Split(v, ";") {
			name, value, _ := strings.Cut(tag, "=")
			tags[strings.TrimSpace(name)] = strings.TrimSpace(value)
		}
		out = append(out, "d="+tags["d"]+" s="+tags["s"])
	}
	return out
}

// Two keys of one domain and selector, however they came (the selector
// setting's file and one in the domain's folder, as the old keygen made
// after BULLETIN_FROM changed; a copy; an RSA and an Ed25519 key), give a
// message one signature under that selector, not one that cannot but
// fail; start-up names the key it signs with, and doctor checks that one
// key's record.
func TestDKIMTwoKeysOfOneSelectorSignOnce(t *testing.T) {
	for _, c := range []struct {
		name    string
		make    func(t *testing.T, dir string) (kept dkim.Key, files []string)
		env     map[string]string
		logWant string
	}{
		{"the setting's and the folder's", func(t *testing.T, dir string) (dkim.Key, []string) {
			generateKey(t, dir, "s1", dkim.RSA)
			return generateKey(t, filepath.Join(dir, "example.com"), "s1", dkim.RSA),
				[]string{filepath.Join(dir, "example.com", "s1.rsa.pem"), filepath.Join(dir, "s1.rsa.pem")}
		}, map[string]string{"BULLETIN_DKIM_SELECTOR": "s1"}, "level=WARN msg=\"DKIM: two different keys for s1._domainkey.example.com"},
		{"a copy", func(t *testing.T, dir string) (dkim.Key, []string) {
			k := generateKey(t, filepath.Join(dir, "example.com"), "s1", dkim.RSA)
			buf, err := os.ReadFile(filepath.Join(dir, "example.com", "s1.rsa.pem"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "s1.rsa.pem"), buf, 0o600); err != nil {
				t.Fatal(err)
			}
			return k, []string{filepath.Join(dir, "s1.rsa.pem"), filepath.Join(dir, "example.com", "s1.rsa.pem")}
		}, map[string]string{"BULLETIN_DKIM_SELECTOR": "s1"}, "level=INFO msg=\"DKIM: "},
		{"RSA and Ed25519 in the folder", func(t *testing.T, dir string) (dkim.Key, []string) {
			generateKey(t, filepath.Join(dir, "example.com"), "s1", dkim.Ed25519)
			return generateKey(t, filepath.Join(dir, "example.com"), "s1", dkim.RSA),
				[]string{filepath.Join(dir, "example.com", "s1.rsa.pem"), filepath.Join(dir, "example.com", "s1.ed25519.pem")}
		}, nil, "level=WARN msg=\"DKIM: two different keys for s1._domainkey.example.com"},
		{"both selector settings", func(t *testing.T, dir string) (dkim.Key, []string) {
			generateKey(t, dir, "s1", dkim.Ed25519)
			return generateKey(t, dir, "s1", dkim.RSA), []string{filepath.Join(dir, "s1.rsa.pem"), filepath.Join(dir, "s1.ed25519.pem")}
		}, map[string]string{"BULLETIN_DKIM_SELECTOR": "s1", "BULLETIN_DKIM_ED25519_SELECTOR": "s1"}, "level=WARN msg=\"DKIM: two different keys"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": "news@example.com"}
			for k, v := range c.env {
				env[k] = v
			}
			kept, files := c.make(t, filepath.Join(data, "dkim"))
			signer, logs := loadSigner(t, env)
			msg, err := signer.Sign(nil, []byte("From: news@example.com\r\nTo: zoe@reader.example\r\nSubject: Hello\r\n\r\nHello.\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			dkimtest.RequireValid(t, msg, "example.com", 1, kept)
			line := regexp.MustCompile(`(?m)^.*msg="DKIM: .*$`).FindAllString(logs.String(), -1)
			if len(line) != 1 || !strings.Contains(line[0], c.logWant) || !strings.Contains(line[0], files[0]) || !strings.Contains(line[0], files[1]) {
				t.Errorf("start-up does not say once which of %s signs:\n%s", files, logs)
			}
			if !strings.Contains(logs.String(), `keys="example.com [`+kept.String()+`]"`) {
				t.Errorf("start-up does not sign with %v alone:\n%s", kept, logs)
			}

			// doctor checks the one key signed with
			srv := dnstest.Serve(t, kept.Record("example.com"))
			m, stdout, stderr := testMain(t, env)
			m.Resolver = srv.Resolver()
			m.Main(context.Background(), []string{"doctor"})
			if n := len(regexp.MustCompile(`(?m)^\S+ +DKIM s1 `).FindAllString(stdout.String(), -1)); n != 1 || !contains(stdout.String(), finding("OK", "DKIM s1", "example.com")) {
				t.Errorf("doctor's DKIM findings, want one OK for s1:\n%s%s", stdout, stderr)
			}
		})
	}
}

// generateKey writes a new key into dir, as keygen does.
func generateKey(t *testing.T, dir, selector, typ string) dkim.Key {
	t.Helper()
	k, err := dkim.Generate(dir, selector, typ)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A selector setting whose key is not in the DKIM folder itself but in a
// domain's folder: when BULLETIN_FROM is at that domain, the key signs
// its mail and start-up says the setting is not needed; when
// BULLETIN_FROM is at another domain of its own, which the setting means
// to sign, serve stops with a line that names the key there is, the
// setting to remove and the keygen that makes the missing key.
func TestDKIMSelectorKeyInADomainFolder(t *testing.T) {
	data := t.TempDir()
	key := generateKey(t, filepath.Join(data, "dkim", "example.com"), "s1", dkim.RSA)
	folderFile := filepath.Join(data, "dkim", "example.com", "s1.rsa.pem")
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": "news@example.com", "BULLETIN_DKIM_SELECTOR": "s1"}
	signer, logs := loadSigner(t, env)
	msg, err := signer.Sign(nil, []byte("From: news@example.com\r\nTo: zoe@reader.example\r\nSubject: Hello\r\n\r\nHello.\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	dkimtest.RequireValid(t, msg, "example.com", 1, key)
	if !strings.Contains(logs.String(), "BULLETIN_DKIM_SELECTOR=s1 is not needed") || !strings.Contains(logs.String(), folderFile) {
		t.Errorf("start-up does not say that %s signs without the setting:\n%s", folderFile, logs)
	}

	env["BULLETIN_FROM"], env["BULLETIN_ADDR"] = "news@harbour.test", "127.0.0.1:0"
	code, _, stderr := run(t, env, "", "serve")
	saidOneLine(t, []string{"serve"}, code, stderr, 2, filepath.Join(data, "dkim", "s1.rsa.pem"), folderFile,
		"remove BULLETIN_DKIM_SELECTOR", `"bulletin dkim keygen --selector s1 --type rsa --domain harbour.test"`)
}
