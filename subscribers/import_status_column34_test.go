package subscribers

import (
	"strings"
	"testing"
)

// StatusColumn finds a status column in the line of column names as
// Import reads it: after a BOM, Excel's sep= line and blank lines, in any
// case, and not in a file without column names.
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
		if got := StatusColumn(strings.NewReader(tt.file)); got != tt.want {
			t.Errorf("StatusColumn(%q) = %v, want %v", tt.file, got, tt.want)
		}
	}
}
