package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A missing DKIM key or a broken templates folder stops serve, import
// and digest run before they write anything in a new, empty data folder:
// they used to stop only once the folder had a database and a secret,
// half an install that the next start, with the setting fixed, would
// take as a made one.
func TestServeRefusesFilesBeforeTheDataFolder(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "readers.csv")
	if err := os.WriteFile(csv, []byte("email\nann@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	commands := [][]string{{"serve"}, {"import", "--list", "daily-news", csv}, {"digest", "run", "--list", "daily-news"}}
	broken := t.TempDir()
	os.MkdirAll(filepath.Join(broken, "pages"), 0o755)
	os.WriteFile(filepath.Join(broken, "pages", "subscribe.html"), []byte(`{{define "content"}}{{.Oops`), 0o600)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want func(data string) []string // what the line says
	}{
		{"missing DKIM key", map[string]string{"BULLETIN_FROM": "news@harbour.test", "BULLETIN_DKIM_SELECTOR": "s1"}, func(data string) []string {
			return []string{filepath.Join(data, "dkim", "s1.rsa.pem"), `"bulletin dkim keygen --selector s1 --type rsa"`}
		}},
		{"missing Ed25519 DKIM key", map[string]string{"BULLETIN_FROM": "news@harbour.test", "BULLETIN_DKIM_ED25519_SELECTOR": "e1"}, func(data string) []string {
			return []string{filepath.Join(data, "dkim", "e1.ed25519.pem")}
		}},
		{"missing DKIM key in BULLETIN_DKIM_DIR", map[string]string{"BULLETIN_FROM": "news@harbour.test", "BULLETIN_DKIM_SELECTOR": "s1",
			"BULLETIN_DKIM_DIR": filepath.Join(broken, "keys")}, func(string) []string {
			return []string{filepath.Join(broken, "keys", "s1.rsa.pem")}
		}},
		{"broken template", map[string]string{"BULLETIN_TEMPLATES": broken}, func(string) []string {
			return []string{`bulletin serve: BULLETIN_TEMPLATES "` + broken + `": `, "subscribe.html", "fix that file"}
		}},
	} {
		for _, args := range commands {
			t.Run(tc.name+"/"+args[0], func(t *testing.T) {
				data := t.TempDir() // made, and empty
				env := map[string]string{"BULLETIN_DATA": data}
				for k, v := range tc.env {
					env[k] = v
				}
				m, _, stderr := testMain(t, env)
				code := mainWithin(t, m, args)
				var want []string
				for _, w := range tc.want(data) {
					want = append(want, strings.Replace(w, "bulletin serve: ", "bulletin "+args[0]+": ", 1))
				}
				saidOneLine(t, args, code, stderr.String(), 2, want...)
				for _, name := range []string{"bulletin.db", "secret"} {
					if _, err := os.Stat(filepath.Join(data, name)); err == nil {
						t.Errorf("%s made %s in the data folder before refusing", args[0], name)
					}
				}
				if entries, _ := os.ReadDir(data); len(entries) > 0 {
					t.Errorf("%s wrote in the data folder before refusing: %v", args[0], entries)
				}
			})
		}
	}
}

// A data folder that is a file is still said to be one when DKIM_DIR, a
// folder in it by default, is read first.
func TestServeDataFolderIsAFileBeforeDKIM(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{file, filepath.Join(file, "sub")} {
		m, _, stderr := testMain(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": "news@harbour.test", "BULLETIN_DKIM_SELECTOR": "s1"})
		code := mainWithin(t, m, []string{"serve"})
		saidOneLine(t, []string{"serve"}, code, stderr.String(), 2, "bulletin serve: BULLETIN_DATA "+data+" cannot be written (it, or a folder above it, is a file)")
	}
}

// A data folder this user may not enter fails the DKIM keys' read first,
// now that the keys are read before the folder's lock: it is said as the
// data folder that cannot be written, not as a DKIM folder the operator
// never named. Tests run as root, whom no folder refuses, so the error
// is fed in.
func TestDKIMReadDeniedNamesTheDataFolder(t *testing.T) {
	denied := &os.PathError{Op: "open", Path: "/srv/bulletin/dkim", Err: syscall.EACCES}
	read := fmt.Errorf("read DKIM folder: %w", denied)

	c := Config{Data: "/srv/bulletin"}
	got := c.dkimReadError(read)
	if _, ok := got.(usageError); !ok || !strings.Contains(got.Error(), "BULLETIN_DATA /srv/bulletin cannot be written (permission denied)") {
		t.Errorf("the default DKIM folder denied = %v, want the data folder's usage error", got)
	}

	c.DKIMDir = "/etc/bulletin/dkim" // named by the operator: said as it is
	if got := c.dkimReadError(read); got != read {
		t.Errorf("BULLETIN_DKIM_DIR denied = %v, want the read's own error", got)
	}
	c.DKIMDir = ""
	missing := errors.New("dkim key s1: open /srv/bulletin/dkim/s1.rsa.pem: no such file or directory")
	if got := c.dkimReadError(missing); got != missing {
		t.Errorf("a missing key = %v, want the read's own error", got)
	}
}
