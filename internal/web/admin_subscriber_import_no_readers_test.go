package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// An uploaded file with its line of column names and no reader under it
// (an export of an empty list) gets a report that says so in words, not
// four zeros, which it used to show alone; a file with rows keeps its
// counts. Nothing is refused: the file is a valid one.
func TestAdminSubscriberImportHeaderWithoutReadersSaysSo(t *testing.T) {
	e := newAdminSubEnv(t)
	const said = "The file has column names but no readers: nothing to import."
	tests := []struct {
		name, file string
		noReaders  bool
	}{
		{"column names", "email,name,lists\n", true},
		{"column names and blank lines", "\ufeffemail,name\r\n\r\n \r\n", true},
		{"Excel's sep= line and column names", "sep=;\r\nemail;name;lists\r\n", true},
		{"a reader", "email,name\nbo@example.com,Bo\n", false},
		{"an invalid line", "email,name\nnot-an-address,Bo\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := e.importReport(tt.file, url.Values{"list": {"daily-news"}, "confirmed": {"on"}})
			if strings.Contains(body, said) != tt.noReaders || strings.Contains(body, `<div class="stat">`) == tt.noReaders {
				t.Errorf("want the report to say the file has no readers (%v), instead of its counts:\n%s", tt.noReaders, body)
			}
			if strings.Contains(body, `class="error"`) {
				t.Errorf("the file is refused:\n%s", body)
			}
		})
	}
}

// The upload form says which files it takes, by the name Excel gives the
// format, next to the field; its accept attribute still offers CSV files.
func TestAdminSubscriberImportFormSaysWhichFiles(t *testing.T) {
	e := newAdminSubEnv(t)
	resp, body := e.a.get("/admin/subscribers/import")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/subscribers/import = %d", resp.StatusCode)
	}
	for _, want := range []string{
		`<label for="file">CSV file <span class="muted" style="font-weight:400">(CSV UTF-8, commas or semicolons)</span></label>`,
		`accept=".csv,text/csv"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s:\n%s", want, body)
		}
	}
}
