package subscribers

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// An importFile is an import file made ready for its records: what
// spreadsheets write around CSV is dealt with before the first line is
// parsed.
type importFile struct {
	br *bufio.Reader
	// comma is what Excel's "sep=;" line says separates the cells, or 0
	// when the file has no such line.
	comma rune
	// sepLine says the file's first line was that line, read here.
	sepLine bool
}

// openImportFile reads the start of r. A file that is not UTF-8 text (a
// workbook, Excel's "Unicode Text") is refused with what to save it as:
// read as CSV, its first line would be named as columns no one can see.
// Excel's "CSV UTF-8" starts with a byte-order mark, which would be read
// as part of the first cell: a quoted header cell would be malformed and
// the header lost, and a headerless file's first address refused. So it
// goes. A file whose lines end in a CR alone (Excel for Mac's "CSV
// (Macintosh)") would be one line, its rows read as header cells and
// nothing imported: each CR is a line break. And Excel's "sep=;" line is
// not a row: it says what separates the cells, a comma or a semicolon,
// or anything else, which the import does not read.
func openImportFile(r io.Reader) (*importFile, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(br.Size()) // a short read is EOF, or an error the parser meets on its own read
	if err := notText(head); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, bom) {
		br.Discard(len(bom))
		head, _ = br.Peek(br.Size())
	}
	if crLineEnds(head) {
		br = bufio.NewReader(crReader{br})
		head, _ = br.Peek(br.Size())
	}
	f := &importFile{br: br}
	if c, ok := sepLine(head); ok {
		if c != ',' && c != ';' {
			return nil, bulletin.Errorf(bulletin.EINVALID, "The file's first line, Excel's “sep=” line, says its cells are separated by %s, which the import does not read: save the file as CSV, with commas (or semicolons) between the cells.",
				separatorName(c))
		}
		br.ReadString('\n')
		f.comma, f.sepLine = c, true
	}
	return f, nil
}

// saveAsCSV is what to do with a file that is not CSV text.
const saveAsCSV = "save it as CSV UTF-8 (in Excel, “CSV UTF-8 (Comma delimited)”; in LibreOffice, “Text CSV”) and import that file."

// notText returns the error of a file whose head is not text as CSV is:
// a workbook (.xlsx and .ods are zip files, .xls an OLE2 one), or UTF-16,
// as Excel saves "Unicode Text", with or without its byte-order mark.
// Text holds no NUL byte; UTF-16 has one in every other byte of ASCII.
func notText(head []byte) error {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return bulletin.Errorf(bulletin.EINVALID, "The file is a spreadsheet workbook (such as .xlsx, .xls or .ods), not CSV: "+saveAsCSV)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}),
		len(head) >= 2 && (head[0] == 0) != (head[1] == 0):
		return bulletin.Errorf(bulletin.EINVALID, "The file is UTF-16 text (Excel saves “Unicode Text” so), which the import does not read: "+saveAsCSV)
	case bytes.IndexByte(head, 0) >= 0:
		return bulletin.Errorf(bulletin.EINVALID, "The file is not text, as a CSV file is: "+saveAsCSV)
	}
	return nil
}

// crLineEnds reports whether the first line break of head, outside
// quotes, is a CR alone.
func crLineEnds(head []byte) bool {
	quoted := false
	for i, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			return false
		case b == '\r':
			return i+1 < len(head) && head[i+1] != '\n'
		}
	}
	return false
}

// A crReader reads a file whose lines end in a CR alone as one whose
// lines end in a LF.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// sepLine reads head's first line as Excel's "sep=;", which it writes,
// and reads, before the header: it returns the separator it names.
func sepLine(head []byte) (rune, bool) {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	s := strings.TrimSuffix(string(line), "\r")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if len(s) < 4 || !strings.EqualFold(s[:4], "sep=") {
		return 0, false
	}
	c, n := utf8.DecodeRuneInString(s[4:])
	if n == 0 || n != len(s)-4 || c == utf8.RuneError {
		return 0, false
	}
	return c, true
}

// separatorName names what separates the cells of a line, for a message.
func separatorName(c rune) string {
	switch c {
	case '\t':
		return "tabs"
	case ' ':
		return "spaces"
	case ';':
		return "semicolons"
	case ',':
		return "commas"
	}
	return "“" + shownCell(string(c)) + "”"
}
