package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DATA/secret keys every link in mail already sent: a damaged one must be
// restored, not replaced. The message says so, and says what deleting it
// costs, rather than advising the deletion.
func TestDamagedSecretSaysRestoreIt(t *testing.T) {
	for _, content := range []string{"", "\n", "0123456789abcdef"} {
		data := t.TempDir()
		path := filepath.Join(data, "secret")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errLine := run(t, map[string]string{"BULLETIN_DATA": data}, "", "serve")
		for _, want := range []string{path, "restore it from a backup", "BULLETIN_SECRET", "deleting it and running \"bulletin secret rotate\" makes a new secret", "links in mail already sent stop working"} {
			if !strings.Contains(errLine, want) {
				t.Errorf("secret %q: stderr %q lacks %q", content, errLine, want)
			}
		}
		if code != 1 || strings.Count(errLine, "\n") != 1 || strings.Contains(errLine, "delete it to generate") {
			t.Errorf("secret %q: exit %d, stderr %q; want exit 1 and one line that does not advise deleting it", content, code, errLine)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Errorf("secret %q: the file now holds %q", content, got)
		}
	}
}
