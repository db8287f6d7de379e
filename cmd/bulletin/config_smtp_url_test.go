package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A malformed BULLETIN_SMTP_URL is refused with the other settings, in one
// line that names it once ("BULLETIN_SMTP_URL: smtp url: …" said it twice),
// before serve makes a database and a secret in a new data folder.
func TestConfigSMTPURLRefusedBeforeTheDataFolder(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"serve"}
	code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SMTP_URL": "http://mail.example.com:25"}, "", args...)
	saidOneLine(t, args, code, stderr, 2, `bulletin serve: BULLETIN_SMTP_URL: scheme "http", want smtp://host:port or smtps://host:port`)
	if strings.Contains(stderr, "smtp url:") {
		t.Errorf("the line names the setting twice: %q", stderr)
	}
	if _, err := os.Stat(data); err == nil {
		t.Errorf("serve made the data folder %s before refusing BULLETIN_SMTP_URL", data)
	}
}
