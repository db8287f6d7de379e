package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seededData returns the environment of a data folder bulletin seed has
// filled: its lists are there to import into.
func seededData(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	return env
}

// writeFile writes content to a file named name in a folder of its own
// and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// A file refused as a whole is named in the message, as one without an
// email column is: of several imported in a row, the message says which
// was empty, a workbook or UTF-16, or separated by tabs. These used to
// say "The file …" of whichever it was. Exit status 2, nothing on stdout.
func TestImportRefusalNamesTheFile(t *testing.T) {
	env := seededData(t)
	tests := []struct {
		name, file, in string
		// want is what the message says after the file's path.
		want string
	}{
		{"empty", "readers.csv", "", " is empty: it has no line to import."},
		{"blank lines", "readers.csv", "\r\n\r\n", " is empty: "},
		{"a workbook", "readers.xlsx", "PK\x03\x04\x14\x00\x06\x00\x08\x00", " is a spreadsheet workbook (such as .xlsx, .xls or .ods), not CSV: save it as CSV UTF-8"},
		{"Unicode Text", "readers.txt", "\xff\xfee\x00m\x00a\x00i\x00l\x00\r\x00\n\x00", " is UTF-16 text (Excel saves “Unicode Text” so), which the import does not read: save it as CSV UTF-8"},
		{"a sep= line of tabs", "readers.csv", "sep=\t\nemail\tname\nbo@example.com\tBo\n", "'s first line, Excel's “sep=” line, says its cells are separated by tabs"},
		{"a tab header", "readers.txt", "email\tname\nbo@example.com\tBo\n", "'s first line names the columns, but its cells are separated by tabs, not commas: save the file as CSV"},
		{"an email column twice", "readers.csv", "email,name,E-mail\nbo@example.com,Bo,bo@example.org\n", " has two email columns"},
		{"no email column", "readers.csv", "name,city\nBo,Oslo\n", " has no email column: its first line names the columns “name”, “city”."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, tt.file, tt.in)
			m, stdout, stderr := testMain(t, env)
			code := m.Main(context.Background(), []string{"import", file, "--list", "daily-news", "--confirmed"})
			if want := "bulletin import: " + file + tt.want; code != 2 || !strings.HasPrefix(stderr.String(), want) {
				t.Errorf("exit %d, stderr %q; want 2 and a message beginning %q", code, stderr, want)
			}
			if strings.Contains(stderr.String(), "The file") || stdout.Len() > 0 {
				t.Errorf("stdout %q, stderr %q", stdout, stderr)
			}
		})
	}
}

// A file with its line of column names and no reader under it (an export
// of an empty list) imports as nothing, exit status 0, and the report
// says so in words: its counts of zeros alone used to be all it said.
func TestImportHeaderWithoutReadersSaysSo(t *testing.T) {
	env := seededData(t)
	tests := []struct {
		name, in  string
		noReaders bool
	}{
		{"column names", "email,name,lists\n", true},
		{"column names, no line break", "email", true},
		{"column names and blank lines", "\ufeffemail,name,lists\r\n\r\n  \r\n", true},
		{"Excel's sep= line and column names", "sep=;\r\nemail;name;lists\r\n", true},
		{"column names read and not", "email,Phone\n", true},
		{"a reader", "email,name\nbo@example.com,Bo\n", false},
		{"an invalid line and a reader", "email,name\nnot-an-address,Bo\ncy@example.com,Cy\n", false},
		{"an address, no column names", "bo@example.com\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, "readers.csv", tt.in)
			m, stdout, stderr := testMain(t, env)
			if code := m.Main(context.Background(), []string{"import", file, "--list", "daily-news", "--confirmed"}); code != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			said := strings.Contains(stdout.String(), "\n"+file+" has column names but no readers: nothing to import.\n")
			if said != tt.noReaders || !strings.HasPrefix(stdout.String(), "added ") {
				t.Errorf("stdout %q; want it to say the file has no readers: %v", stdout, tt.noReaders)
			}
		})
	}
}
