package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
)

// Where Bulletin says how to set up DKIM while the From address is at a
// host no DNS on the internet knows (localhost, the default; a name
// without a dot; an IP address), it says to set the From first, naming
// the setting, rather than to run a keygen that refuses that host; and
// keygen makes no key for an IP address.
func TestDKIMHintsAtAFromWithoutDNS(t *testing.T) {
	for _, from := range []string{"", "news@intranet", "news@192.0.2.1", "news@[192.0.2.1]"} {
		data := t.TempDir()
		env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": from}
		args := []string{"dkim", "keygen", "--selector", "s1"}
		code, _, stderr := run(t, env, "", args...)
		saidOneLine(t, args, code, stderr, 2, "not a domain on the internet", "first set the From address to one at your own domain",
			"/admin/settings", "BULLETIN_FROM")
		if _, err := os.Stat(filepath.Join(data, "dkim")); err == nil {
			t.Errorf("From %q: keygen wrote into %s", from, filepath.Join(data, "dkim"))
		}

		// serve with a selector, whose key signs BULLETIN_FROM's mail, on
		// a folder without the key
		env = map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_FROM": from, "BULLETIN_DKIM_SELECTOR": "s1", "BULLETIN_ADDR": "127.0.0.1:0"}
		code, _, stderr = run(t, env, "", "serve")
		saidOneLine(t, []string{"serve"}, code, stderr, 2, "not a domain on the internet", "set BULLETIN_FROM to an address at your own domain first",
			`"bulletin dkim keygen --selector s1 --type rsa"`)
	}
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": t.TempDir()}, "", "dkim", "keygen", "--selector", "s1", "--domain", "192.0.2.1"); code != 2 {
		t.Errorf("keygen --domain 192.0.2.1: exit %d, %s", code, stderr)
	}

	// The From saved in the settings is the one to change.
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	saveSettings(t, data, pubsettings.Publication{FromAddress: "news@192.0.2.1", Credit: true})
	args := []string{"dkim", "keygen", "--selector", "s1"}
	code, _, stderr := run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, "the From address in the settings is at 192.0.2.1", "first change the From address at /admin/settings")
}

// serve's warning of mail that goes unsigned, From a host no DNS on the
// internet knows, says to set the From first: keygen refuses that host.
func TestDKIMUnsignedWarningAtLocalhost(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data} // BULLETIN_FROM at localhost
	// A list's own From has a key: the signer is on.
	if code, _, stderr := run(t, env, "", "dkim", "keygen", "--selector", "q1", "--type", "ed25519", "--domain", "quay.test"); code != 0 {
		t.Fatalf("keygen: %s", stderr)
	}
	signer, logs := loadSigner(t, env)
	for _, from := range []string{"news@localhost", "news@192.0.2.1", "news@nokey.test"} {
		if _, err := signer.Sign(nil, []byte("From: "+from+"\r\nTo: zoe@reader.example\r\nSubject: Hi\r\n\r\nHi.\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		noDNS := strings.Contains(line, "domain=localhost") || strings.Contains(line, "domain=192.0.2.1")
		switch {
		case !strings.Contains(line, "no DKIM key for this From domain"):
		case noDNS && (strings.Contains(line, "keygen --domain") || !strings.Contains(line, "set the From address") || !strings.Contains(line, "/admin/settings")):
			t.Errorf("the warning for a From without DNS does not say to set the From first:\n%s", line)
		case !noDNS && !strings.Contains(line, `bulletin dkim keygen --domain nokey.test --selector s1`):
			t.Errorf("the warning for nokey.test does not say how to make its key:\n%s", line)
		}
	}
	if n := strings.Count(logs.String(), "no DKIM key for this From domain"); n != 3 {
		t.Errorf("%d warnings, want one for each domain:\n%s", n, logs)
	}
}
