package subscribers

import (
	"strings"
	"testing"
)

// StatusColumn finds a status column in the line of column names as
// Import reads it: after a BOM, Excel's sep= line and blank lines, in any
// case, and not in a file without column names. A start of a file with
// no line read as CSV does not say.
func TestStatusColumn(t *testing.T) {
	for _, tt := range []struct {
		file string
		want bool
	}{
		{"email,name,lists,status\n", true},
		{"\ufeffEmail;Status\nann@example.com;confirmed\n", true},
		{"sep=;\n\n  \nemail;name;STATUS\n", true},
		{"email,name\nann@example.com,Ann\n", false},
		{"ann@example.com,confirmed\n", false},  // no column names: email,name
		{"name,status\nAnn,confirmed\n", false}, // no email column: Import refuses it
		{"", false},
	} {
		if got, found := StatusColumn(strings.NewReader(tt.file)); got != tt.want || found != (tt.file != "") {
			t.Errorf("StatusColumn(%q) = %v, %v; want %v, found %v", tt.file, got, found, tt.want, tt.file != "")
		}
	}
	if _, found := StatusColumn(strings.NewReader("\"a report\"x\n\n")); found {
		t.Error("a start of only a line that is no CSV says whether there is a status column")
	}
}
