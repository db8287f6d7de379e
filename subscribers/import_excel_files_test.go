package subscribers

import (
	"context"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/google/go-cmp/cmp"
)

// Files as spreadsheets save them import as the same file saved as plain
// CSV does: Excel's "sep=;" line says what separates the cells and is no
// row (it used to stop the import as a header naming one column, "sep=;"),
// and lines that end in a CR alone (Excel for Mac's "CSV (Macintosh)")
// are lines (they used to make one header of every row, and nothing was
// imported). Line numbers are the file's.
func TestImportExcelFilesImport(t *testing.T) {
	tests := []struct {
		name, in string
		sepLine  bool
		// added are the readers stored, by address, with their names;
		// invalid the lines refused.
		added   map[string]string
		invalid []int
	}{
		{"sep=; line", "sep=;\r\nemail;name\r\nbo@example.com;Bo\r\nbad;Cy\r\ncy@example.com;\"Lee; Cy\"\r\n", true,
			map[string]string{"bo@example.com": "Bo", "cy@example.com": "Lee; Cy"}, []int{4}},
		{"sep=, line, quoted", "\ufeff\"sep=,\"\nemail,name\nbo@example.com,Bo\n", true, map[string]string{"bo@example.com": "Bo"}, nil},
		{"sep=; line, no header", "sep=;\nbo@example.com;Bo\ncy@example.com;Cy\n", true,
			map[string]string{"bo@example.com": "Bo", "cy@example.com": "Cy"}, nil},
		{"CR line ends", "email,name\rbo@example.com,Bo\rbad,X\rcy@example.com,\"Lee, Cy\"\r", false,
			map[string]string{"bo@example.com": "Bo", "cy@example.com": "Lee, Cy"}, []int{3}},
		{"CR line ends, no header", "bo@example.com\rcy@example.com", false, map[string]string{"bo@example.com": "", "cy@example.com": ""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			ctx := context.Background()
			storeAnn(t, s)
			rep, err := s.Import(ctx, strings.NewReader(tt.in), ImportOptions{List: "news", Confirmed: true})
			if err != nil {
				t.Fatalf("%v (report %+v)", err, rep)
			}
			var invalid []int
			for _, n := range rep.InvalidLines {
				invalid = append(invalid, n.Line)
			}
			if rep.Added != len(tt.added) || !slices.Equal(invalid, tt.invalid) || rep.SepLine != tt.sepLine {
				t.Errorf("report %+v; want %d added, lines %v invalid, sep line %v", rep, len(tt.added), tt.invalid, tt.sepLine)
			}
			lines := lineTotal(rep)
			if rep.SepLine {
				lines++
			}
			if lines != rep.Lines {
				t.Errorf("report accounts for %d of %d lines: %+v", lines, rep.Lines, rep)
			}
			page, _, err := s.List(ctx, Filter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, sub := range page {
				got[sub.Email] = sub.Name
			}
			want := map[string]string{"ann@example.com": "Ann"}
			for a, name := range tt.added {
				want[a] = name
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}
}

// Files that are not CSV text, or hold no line, stop the import with what
// to do, and nothing stored changes. A workbook or a UTF-16 file (Excel's
// "Unicode Text") used to be refused for want of an email column, naming
// a column of binary garbage; a tab file saved with Excel's "sep=" line
// as one naming the column "sep="; an empty file was imported as nothing
// at all, with nothing said.
func TestImportNotCSVTextSaysWhatToSave(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"Unicode Text", utf16LE("\ufeffemail\tname\r\nbo@example.com\tBo\r\n"), "The file is UTF-16 text (Excel saves “Unicode Text” so), which the import does not read: save it as CSV UTF-8"},
		{"UTF-16 without a byte-order mark", utf16LE("email,name\r\nbo@example.com,Bo\r\n"), "The file is UTF-16 text"},
		{"a workbook", "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml", "The file is a spreadsheet workbook (such as .xlsx, .xls or .ods), not CSV: save it as CSV UTF-8"},
		{"an old workbook", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "The file is a spreadsheet workbook"},
		{"a sep= line of tabs", "sep=\t\nemail\tname\nbo@example.com\tBo\n", "The file's first line, Excel's “sep=” line, says its cells are separated by tabs, which the import does not read: save the file as CSV"},
		{"empty", "", "The file is empty: it has no line to import."},
		{"a byte-order mark only", "\ufeff", "The file is empty"},
		{"blank lines", "\r\n  \r\n\t\r\n", "The file is empty"},
		{"a sep= line only", "sep=;\r\n", "The file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			storeAnn(t, s)
			rep, err := s.Import(context.Background(), strings.NewReader(tt.in), ImportOptions{List: "news", Confirmed: true})
			if msg := bulletin.ErrorMessage(err); bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.HasPrefix(msg, tt.want) {
				t.Errorf("err %v (report %+v); want %q", err, rep, tt.want)
			}
			annUnchanged(t, s)
		})
	}
}

// A name in a file Excel for Windows saved as "CSV (Comma delimited)", in
// its code page rather than UTF-8, is refused saying to save the file as
// CSV UTF-8, not "use plain text", which it is; the other lines import.
func TestImportNameNotUTF8SaysSaveAsUTF8(t *testing.T) {
	s := newStore(t)
	storeAnn(t, s)
	in := "email,name\r\nrene@example.com,Ren\xe9 Z\xfcrcher\r\nbo@example.com,Bo\r\n"
	rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{{Line: 2, Email: "rene@example.com", Reason: "name: not UTF-8 text (the file was saved in another encoding): " +
		"save the file as CSV UTF-8 (in Excel, “CSV UTF-8 (Comma delimited)”) and import it again"}}
	if diff := cmp.Diff(want, rep.InvalidLines); diff != "" || rep.Added != 1 {
		t.Errorf("report %+v; invalid lines (-want +got):\n%s", rep, diff)
	}
}

// utf16LE is s as UTF-16, little-endian, as Windows writes it.
func utf16LE(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return string(b)
}
