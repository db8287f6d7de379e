package templates

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles makes a folder holding files (path → text) and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// confirmData is what a confirmation mail is rendered with.
var confirmData = confirmMailData(DefaultBrand())

// A BULLETIN_TEMPLATES folder overrides the files it holds, whichever they
// are: one mail template alone, or one page alone, takes the built-in
// files (the mail's partials, the layouts) for everything else. A folder
// with only mail/confirm.txt stopped start-up blaming mail/campaign.html,
// whose partials (mail/_*.html) it looked for in the folder alone.
func TestLoadOverridesAnySubsetOfFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"mail/confirm.txt": "Our own words for {{.Email}}: {{.ConfirmURL}}\n"})
	tmpl, err := Load(dir)
	if err != nil {
		t.Fatalf("Load of a folder with mail/confirm.txt only: %v", err)
	}
	text, html := renderMail(t, tmpl, "confirm", confirmData)
	if text != "Our own words for ada@example.com: https://news.example/confirm/TOKEN\n" {
		t.Errorf("text part = %q, want the folder's", text)
	}
	builtin, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if _, want := renderMail(t, builtin, "confirm", confirmData); html != want || !strings.Contains(html, "Confirm subscription") {
		t.Errorf("html part is not the built-in one:\n%s", html)
	}

	dir = writeFiles(t, map[string]string{"pages/unsubscribe_bad.html": `{{define "title"}}Link broken{{end}}{{define "content"}}<p>Our own page.</p>{{end}}`})
	if tmpl, err = Load(dir); err != nil {
		t.Fatalf("Load of a folder with one page only: %v", err)
	}
	var page bytes.Buffer
	if err := tmpl.Page(&page, "unsubscribe_bad", nil); err != nil {
		t.Fatal(err)
	}
	if got := page.String(); !strings.Contains(got, "<p>Our own page.</p>") || !strings.Contains(got, "<title>Link broken") || !strings.Contains(got, "</html>") {
		t.Errorf("page with the folder's content in the built-in layout:\n%s", got)
	}
	page.Reset()
	if err := tmpl.Page(&page, "confirm_bad", nil); err != nil || !strings.Contains(page.String(), "</html>") {
		t.Errorf("another page: %v\n%s", err, page.String())
	}
}

// A folder may bring partials of its own for its mail, beside the
// built-in ones, and may replace a built-in partial.
func TestLoadOverridesAMailPartial(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"mail/_mine.html":    `{{define "sign-off"}}<p>Fair winds, the editors</p>{{end}}`,
		"mail/confirm.html":  `<p>{{.Email}}</p>{{template "sign-off"}}{{template "footer" "f"}}`,
		"mail/_footer.html":  `{{define "footer"}}<p>Our footer {{.}}</p>{{end}}{{define "masthead"}}{{end}}{{define "postal"}}{{end}}`,
		"mail/unrelated.md":  "notes",
		"pages/.keep":        "",
		"layout/.DS_Store":   "",
		"mail/sub/deeper.go": "package x",
	})
	tmpl, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, html := renderMail(t, tmpl, "confirm", confirmData); html != "<p>ada@example.com</p><p>Fair winds, the editors</p><p>Our footer f</p>" {
		t.Errorf("confirm html = %q", html)
	}
}

// A file of the folder that is there but cannot be opened (here a
// symbolic link to itself) stops the load, naming it, rather than the
// built-in file standing in for it unseen.
func TestLoadFailsOnAnOverrideThatCannotBeOpened(t *testing.T) {
	dir := writeFiles(t, map[string]string{"mail/.keep": ""})
	if err := os.Symlink("confirm.txt", filepath.Join(dir, "mail", "confirm.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "confirm.txt") {
		t.Errorf("Load = %v, want an error naming mail/confirm.txt", err)
	}
}
