package subscribers

import (
	"bufio"
	"strconv"
	"strings"
)

// maxQuotedLines bounds the lines one quoted cell may run over: a note or
// a postal address in a column the import does not read. A cell longer
// than that is a quote left open, not a cell.
const maxQuotedLines = 100

// A recordReader reads the records of an import file with the quoting of
// RFC 4180, as encoding/csv reads it without LazyQuotes, but it never
// lets one bad quote cost more than its own line.
//
// encoding/csv reads a quote left open (`ann@example.com,"Ann`) as the
// start of a cell that runs on over the following lines, to the end of
// the file or to the next stray quote: every row after it was lost in one
// error, or worse, imported as part of a name. LazyQuotes makes it worse
// still: a quote inside a quoted cell (`"O"Brien, Pat`) no longer ends
// anything, so that line opens such a cell too. Reading line by line, with
// no cell over two lines, would be safe, but would refuse the rows whose
// note or address spreadsheets wrote over two lines, though their address
// is plain.
//
// So a quoted cell may run over lines, but only as far as it proves to be
// one: it must close cleanly within maxQuotedLines, and none of the lines
// it takes may read as a row of its own (startsRow: an address in the
// email column), which a note does not hold and the next reader's row
// does. Otherwise the line that opened it is reported, naming that line,
// and the lines after it are read again as lines of their own. A quote
// inside a cell that does not start with one, or one not doubled inside a
// quoted cell, costs its line only: which cells the line means is a
// guess, and a guess would store a name cut in two, so the line is
// reported for the operator to fix and import again.
//
// Every line is accounted for: it starts a record (or a recordError), is
// blank, or continues a quoted cell of the record before it. A blank line
// is empty or holds only spaces and tabs, which encoding/csv would read
// as a record of one cell: a line that looks empty is read as empty, not
// as a row without an address. Inside a quoted cell it stays part of it.
// So is a line whose every cell is empty or spaces (",,,", "  ;;"), as
// spreadsheets write the rows past the last one filled in, or once held:
// it holds nothing to import either.
type recordReader struct {
	br    *bufio.Reader
	comma byte
	// startsRow reports whether a line, taken on its own, reads as a row;
	// nil when nothing does.
	startsRow func(line string) bool
	// back are lines read ahead of a quote that proved not to close,
	// handed back to be read on their own.
	back []fileLine
	err  error // the read error that ended br, io.EOF at its end
	// lines counts the lines read from br; blank and continued those that
	// were blank and those that continued a quoted cell.
	lines, blank, continued int
	fields                  []string // the last record's cells, reused as encoding/csv's ReuseRecord
}

// A fileLine is a line of the file without its line break, and its number.
type fileLine struct {
	n    int
	text string
}

// A recordError is a line that is not CSV, and why; its line is not read.
type recordError struct {
	// fields are the cells read before the fault, whole.
	fields []string
	reason string
}

func (e *recordError) Error() string { return e.reason }

func newRecordReader(br *bufio.Reader, comma rune) *recordReader {
	return &recordReader{br: br, comma: byte(comma)}
}

// Read returns the next record and the line it starts on. Its error is a
// *recordError for a line that is not CSV, after which Read goes on; io.EOF
// at the end of the file; or the error reading it.
func (r *recordReader) Read() ([]string, int, error) {
lines:
	for {
		first, ok := r.next()
		if !ok {
			return nil, 0, r.err
		}
		if blankLine(first.text) {
			r.blank++
			continue
		}
		text := first.text
		var b strings.Builder
		var taken []fileLine
		for {
			fields, open, fault := parseRecord(r.fields[:0], text, r.comma)
			r.fields = fields
			switch {
			case fault != "" && len(taken) == 0:
				return nil, first.n, &recordError{fields: fields, reason: fault}
			case fault == "" && !open && len(taken) == 0 && blankCells(fields):
				r.blank++
				continue lines
			case fault == "" && !open:
				r.continued += len(taken)
				return fields, first.n, nil
			}
			// The quote is open at the end of the line. When a line taken
			// into its cell went wrong, it was never meant to run on.
			if fault == "" {
				if b.Len() == 0 {
					b.WriteString(first.text)
				}
				if r.runOn(&b, &taken) {
					text = b.String()
					continue
				}
			}
			r.back = append(taken, r.back...)
			return nil, first.n, r.unclosed(first)
		}
	}
}

// runOn takes the lines after an open quote into its cell, to b and
// taken, up to the next line that holds a quote, which may close it: a
// line without one leaves the cell open, and needs no parsing. It
// reports false when the quote does not run on that far: past
// maxQuotedLines, at the end of the file, or at a line that reads as a
// row of its own.
func (r *recordReader) runOn(b *strings.Builder, taken *[]fileLine) bool {
	for len(*taken) < maxQuotedLines {
		next, ok := r.next()
		if !ok {
			return false
		}
		*taken = append(*taken, next)
		if r.startsRow != nil && r.startsRow(next.text) {
			return false
		}
		b.WriteByte('\n')
		b.WriteString(next.text)
		if strings.IndexByte(next.text, '"') >= 0 {
			return true
		}
	}
	return false
}

// blankLine reports whether line is empty or holds only spaces and tabs.
func blankLine(line string) bool { return strings.Trim(line, " \t") == "" }

// blankCells reports whether every cell of a record is empty or holds
// only spaces and tabs.
func blankCells(fields []string) bool {
	for _, f := range fields {
		if !blankLine(f) {
			return false
		}
	}
	return true
}

// consumed is the number of lines read so far: those read ahead and
// handed back are still to come.
func (r *recordReader) consumed() int { return r.lines - len(r.back) }

// unclosed is the error of line, whose quote opens a cell that does not
// close.
func (r *recordReader) unclosed(line fileLine) *recordError {
	fields, _, _ := parseRecord(nil, line.text, r.comma)
	n := strconv.Itoa(line.n)
	return &recordError{fields: fields, reason: "the CSV is malformed here: the quote that opens cell " + strconv.Itoa(len(fields)+1) +
		" on line " + n + " is not closed on that line, so line " + n + " was not read (the lines after it were)"}
}

// next returns the next line to read: one handed back, or the next of the
// file.
func (r *recordReader) next() (fileLine, bool) {
	if len(r.back) > 0 {
		l := r.back[0]
		r.back = r.back[1:]
		return l, true
	}
	if r.err != nil {
		return fileLine{}, false
	}
	s, err := r.br.ReadString('\n')
	if err != nil {
		r.err = err
		if s == "" {
			return fileLine{}, false
		}
	}
	r.lines++
	// As encoding/csv: \r\n is a line break, and a \r that ends the file
	// is dropped.
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	return fileLine{n: r.lines, text: s}, true
}

// parseRecord reads the cells of text, one record whose lines are joined
// by \n, appending them to dst. open says text ends inside a quoted cell,
// whose start is not among the cells; fault, when not empty, says why text
// is not CSV, with the cells read before the fault.
func parseRecord(dst []string, text string, comma byte) (fields []string, open bool, fault string) {
	fields = dst
	for {
		cell := strconv.Itoa(len(fields) + 1)
		if !strings.HasPrefix(text, `"`) {
			end := strings.IndexByte(text, comma)
			v := text
			if end >= 0 {
				v = text[:end]
			}
			if strings.IndexByte(v, '"') >= 0 {
				return fields, false, "the CSV is malformed here: cell " + cell + ` has a quote (") but does not start with one: ` +
					`put the whole cell in quotes and write each quote inside it twice ("")`
			}
			fields = append(fields, v)
			if end < 0 {
				return fields, false, ""
			}
			text = text[end+1:]
			continue
		}
		v, rest, open, ok := quotedCell(text[1:], comma)
		if open {
			return fields, true, ""
		}
		if !ok {
			return fields, false, "the CSV is malformed here: a quote inside quoted cell " + cell + ` is not written twice (""), ` +
				"so where the cell ends is not clear: write each quote inside it twice, or take the quotes around the cell off"
		}
		fields = append(fields, v)
		if rest < 0 {
			return fields, false, ""
		}
		text = text[1:][rest:]
	}
}

// quotedCell reads a quoted cell from s, which follows its opening quote.
// It returns the cell and where the next one starts in s (-1 at the end
// of the record); open when s ends inside the cell; not ok when a quote
// inside it is neither doubled nor its end.
func quotedCell(s string, comma byte) (v string, rest int, open, ok bool) {
	var b strings.Builder
	i := 0
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return "", 0, true, false
		}
		k := i + j + 1 // after the quote
		switch {
		case k < len(s) && s[k] == '"':
			b.WriteString(s[i:k])
			i = k + 1
			continue
		case k == len(s), s[k] == comma:
			if b.Len() == 0 {
				v = s[i : k-1] // no quote doubled: the text itself
			} else {
				b.WriteString(s[i : k-1])
				v = b.String()
			}
			if k == len(s) {
				return v, -1, false, true
			}
			return v, k + 1, false, true
		}
		return "", 0, false, false
	}
}
