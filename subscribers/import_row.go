package subscribers

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// cell returns the trimmed cell at column i of rec, as export wrote it.
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(fromTextCell(rec[i]))
}

// bom is the UTF-8 byte-order mark some spreadsheets start a CSV file with.
var bom = []byte{0xEF, 0xBB, 0xBF}

// sniffComma reads the file's first line ahead, leaving it to be parsed,
// and returns what separates the cells. That is ';' when the line is a
// header whose cells are separated by semicolons, with no comma outside
// quotes: spreadsheets in languages that write decimal commas save CSV
// so. Otherwise it is ',', also for a headerless file, whose lines are
// read as they always were. A first line that names an email column yet
// is a header neither way has its cells separated by something else,
// such as tabs: every line would be refused as a bad address, so the
// import stops at once and says how to save the file. So does one that
// names no email column: as one column, its cells would be named as one
// in the message that says so (see noEmailColumn).
func sniffComma(br *bufio.Reader) (rune, error) {
	head, _ := br.Peek(br.Size()) // a short read is EOF, or an error the parser meets on its own read
	line := firstLine(head)
	if !strings.ContainsRune(outsideQuotes(line), ',') {
		if sep, rec := otherSeparator(line); sep != 0 {
			_, email := headerColumns(rec)
			switch {
			case email && sep == ';':
				return ';', nil
			case email:
				return 0, separatedBy(sep)
			case namesColumns(rec):
				return 0, noEmailColumn(rec, sep)
			}
		}
	}
	if rec, ok := parseLine(line, ','); ok {
		if _, ok := headerColumns(rec); ok {
			return ',', nil
		}
	}
	if startsWithEmailName(line) {
		return 0, separatedBy(0)
	}
	return ',', nil
}

// otherSeparator returns what separates the cells of line, which has no
// comma outside quotes, and its cells: a semicolon, a tab or a "|",
// whichever makes the most cells, or 0 when none makes two.
func otherSeparator(line string) (rune, []string) {
	var sep rune
	var cells []string
	for _, c := range []rune{';', '\t', '|'} {
		if rec, ok := parseLine(line, c); ok && len(rec) > 1 && len(rec) > len(cells) {
			sep, cells = c, rec
		}
	}
	return sep, cells
}

// separatedBy is the error of a header whose cells are separated by sep
// (0 when it is not clear by what), which the import does not read.
func separatedBy(sep rune) error {
	by := "not separated by commas"
	if sep != 0 {
		by = "separated by " + separatorName(sep) + ", not commas"
	}
	return bulletin.Errorf(bulletin.EINVALID, "The first line names the columns, but its cells are %s: save the file as CSV, with commas (or semicolons) between the cells.", by)
}

// firstLine returns the first line of head that is not blank, without
// its line break, as the record reader meets it; a line break inside a
// quoted cell does not end it.
func firstLine(head []byte) string {
	quoted := false
	start := 0
	for i, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case b == '\n' && !quoted:
			if line := strings.TrimSuffix(string(head[start:i]), "\r"); !blankLine(line) {
				return line
			}
			start = i + 1
		}
	}
	return string(head[start:])
}

// outsideQuotes returns line without its quoted parts.
func outsideQuotes(line string) string {
	var b strings.Builder
	quoted := false
	for _, r := range line {
		if r == '"' {
			quoted = !quoted
		} else if !quoted {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseLine reads line as one CSV record with cells separated by comma.
func parseLine(line string, comma rune) ([]string, bool) {
	cr := csv.NewReader(strings.NewReader(line))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	rec, err := cr.Read()
	return rec, err == nil
}

// startsWithEmailName reports whether line begins with the name of an
// email column (any headerField reads as one) followed by something that
// separates cells, not by the rest of an address: a line holding an @ is
// an address, never a header.
func startsWithEmailName(line string) bool {
	if strings.ContainsRune(line, '@') {
		return false
	}
	s := strings.TrimLeft(line, " \t\"")
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._+-", r):
		case headerField(s[:i]) == "email":
			return true
		case r != ' ' || i > len("e-mail address"):
			return false // past what an email column's name may hold
		}
	}
	return headerField(s) == "email"
}

// check normalises one record, counting it as invalid or skipped when it
// cannot be imported. batch is the batch in hand, which a row returned
// joins next; a repeat of one of its rows is merged into it (repeat).
func (imp *importer) check(line int, rec []string, batch []importRow) (importRow, bool) {
	if imp.cols.email >= len(rec) {
		imp.invalid(line, "", "no email column")
		return importRow{}, false
	}
	if n := filledColumns(rec); !imp.rep.Header && n > headerlessWidth {
		imp.invalid(line, fromTextCell(rec[imp.cols.email]), fmt.Sprintf("the line has %d columns, but a file without a line of column names is read as two, email and name: "+
			"put in quotes a name that holds a comma, or add a first line that names the columns in their order, such as “%s”, and import the file again", n, headerFor(n)))
		return importRow{}, false
	}
	// A cell past the header's last column belongs to none: most often
	// a name such as Smith, John, unquoted, which shifts every cell after
	// it, so a list of "John" would be the fault named. Dropped without a
	// word, it would be a part of the line not accounted for.
	if n := filledColumns(rec); imp.rep.Header && n > imp.named {
		imp.invalid(line, fromTextCell(rec[imp.cols.email]), imp.cellsPastHeader(n))
		return importRow{}, false
	}
	unknown := len(imp.rep.UnknownLists)
	row, why := imp.parse(line, rec)
	// Empty cells past the header are most often a spreadsheet's padding,
	// but a shifted line whose last cell was empty has them too:
	// "Smith, Frank,news," read as name Smith, lists Frank, status news.
	// Read as it stands, such a line is at fault; the unquoted comma is
	// then the likelier cause, and the fault it made (a list "Frank" to
	// create) would send the editor the wrong way. A bad address is no
	// such fault: the email cell comes before any shift.
	if why != "" && row.key != "" && imp.rep.Header && len(rec) > imp.named {
		imp.forgetUnknownLists(unknown)
		imp.invalid(line, fromTextCell(rec[imp.cols.email]), imp.cellsPastHeader(len(rec)))
		return importRow{}, false
	}
	if why != "" {
		imp.invalid(line, fromTextCell(rec[imp.cols.email]), why)
		return importRow{}, false
	}
	// An erased address is said so on each of its lines, a repeat too:
	// there is no first line of it to merge into.
	if imp.erased[imp.store.EmailHash(row.email)] {
		imp.skip(line, row.email, "this address was erased at its owner's request")
		return importRow{}, false
	}
	if first, ok := imp.seen[row.key]; ok {
		return imp.repeat(row, first, batch)
	}
	imp.seen[row.key] = line
	imp.batched[row.key] = len(batch)
	return row, true
}

// cellsPastHeader says that a line of n cells has more than the header
// names, and how to mend it: most often by quoting a cell.
func (imp *importer) cellsPastHeader(n int) string {
	columns := "columns"
	if imp.named == 1 {
		columns = "column"
	}
	return fmt.Sprintf("the line has %d cells, but the first line names %d %s: "+
		"put in quotes a cell that holds %s, name each column in the first line, or remove the cells past the last one", n, imp.named, columns, imp.separatorInCell())
}

// forgetUnknownLists takes back the unknown lists noted after the first
// from: they were read from a line found shifted, so are no slugs the
// file meant, and the report would offer to create them.
func (imp *importer) forgetUnknownLists(from int) {
	for _, slug := range imp.rep.UnknownLists[from:] {
		delete(imp.unknown, SlugKey(slug))
	}
	imp.rep.UnknownLists = imp.rep.UnknownLists[:from]
}

// headerlessWidth is how many columns a file without a line of column
// names is read as: email, then name (defaultColumns).
const headerlessWidth = 2

// filledColumns returns how many columns rec spans up to its last cell
// that holds something: cells left empty at the end of a line, as
// spreadsheets save them, count for nothing.
func filledColumns(rec []string) int {
	for i := len(rec) - 1; i >= 0; i-- {
		if strings.TrimSpace(rec[i]) != "" {
			return i + 1
		}
	}
	return 0
}

// headerFor is a line of column names for a file of n columns without
// one: the export's, in their order, as such a file is most often an
// export that lost its first line.
func headerFor(n int) string {
	h := strings.Join(exportHeader[:min(n, len(exportHeader))], ",")
	if n > len(exportHeader) {
		h += ",…"
	}
	return h
}

// headerlessColumns is the error of a file whose first line is a reader's
// row of n columns, more than a file without column names is read as:
// the cells after the name would be lost without a word, a status of
// unsubscribed with them, and the reader mailed a confirmation.
func headerlessColumns(n int) error {
	return bulletin.Errorf(bulletin.EINVALID, "The first line is a reader's row of %d columns, not a line of column names, "+
		"and a file without one is read as two columns, email and name: the cells after those (a list, a status) would be lost. "+
		"Add a first line that names the columns in their order, such as “%s” (the names export writes), and import the file again.", n, headerFor(n))
}

// parse reads the cells of rec, or says what is wrong with them, with the
// same rules as a signup and the API.
func (imp *importer) parse(line int, rec []string) (importRow, string) {
	row := importRow{line: line}
	var msg string
	if row.email, msg = NormalizeEmail(fromTextCell(rec[imp.cols.email])); msg != "" {
		return row, imp.emailFault(rec[imp.cols.email], msg)
	}
	row.key = EmailKey(row.email)
	// Excel for Windows saves "CSV (Comma delimited)" in the code page
	// of its language, not UTF-8: an accented name is no text there.
	name := imp.name(rec)
	if !utf8.ValidString(name) {
		return row, "name: not UTF-8 text (the file was saved in another encoding): save the file as CSV UTF-8 (in Excel, “CSV UTF-8 (Comma delimited)”) and import it again"
	}
	if row.name, msg = NormalizeName(name); msg != "" {
		return row, "name: " + msg
	}
	if msg = imp.parseLists(&row, cell(rec, imp.cols.lists)); msg != "" {
		return row, msg
	}
	if msg = imp.parseStatus(&row, cell(rec, imp.cols.status)); msg != "" {
		return row, msg
	}
	if len(row.lists) == 0 && !listless(row.status, cell(rec, imp.cols.status)) {
		return row, "lists: name at least one list in the lists column, or give --list (on the import page, choose a list)"
	}
	if msg = parseAttributes(&row, cell(rec, imp.cols.attributes)); msg != "" {
		return row, msg
	}
	row.freq = strings.ToLower(cell(rec, imp.cols.frequency))
	switch row.freqGiven = row.freq != ""; row.freq {
	case "":
		row.freq = "daily"
	case "daily", "weekly":
	default:
		return row, "frequency: use daily or weekly, not " + strconv.Quote(truncate(row.freq, 40))
	}
	var err error
	if row.createdAt, err = parseTime(cell(rec, imp.cols.created)); err != nil {
		return row, "created_at: use a time like 2024-05-01T09:00:00Z"
	}
	if row.confirmed, err = parseTime(cell(rec, imp.cols.confirmed)); err != nil {
		return row, "confirmed_at: use a time like 2024-05-01T09:00:00Z"
	}
	return row, ""
}

// emailFault says what is wrong with an email cell that is not an
// address, msg as NormalizeEmail says it, or in the editor's words when
// the cell is empty. A cell holding semicolons is
// most likely a whole line whose cells are separated by them, which a
// file without a header line, or one read with commas, does not show.
func (imp *importer) emailFault(email, msg string) string {
	if strings.TrimSpace(fromTextCell(email)) == "" {
		// NormalizeEmail's words for an empty address speak to a reader
		// at the signup form ("enter your email address"): the report's
		// reader is the editor whose file it is.
		return "email: the cell is empty: write the reader's address in it, or take the line out"
	}
	if imp.comma == ';' || !strings.ContainsRune(email, ';') {
		return "email: " + msg
	}
	if !imp.rep.Header {
		return "this line has semicolons: save the file with commas, or with a header line, so the columns are found"
	}
	return "this line has semicolons in its email cell: save the file with commas between the cells, one address a line"
}

// name returns the row's name cell, or, when the file has no name column,
// its First Name and Last Name cells together.
func (imp *importer) name(rec []string) string {
	if imp.cols.name >= 0 || (imp.cols.first < 0 && imp.cols.last < 0) {
		return cell(rec, imp.cols.name)
	}
	return strings.TrimSpace(cell(rec, imp.cols.first) + " " + cell(rec, imp.cols.last))
}

// parseLists resolves the row's list slugs (separated by ';', as export
// writes them), in any case (SlugKey), with the import's own list; an
// unknown one makes the row invalid and is reported by name.
func (imp *importer) parseLists(row *importRow, cell string) string {
	if imp.list != 0 {
		row.lists = append(row.lists, imp.list)
	}
	var unknown []string
	for _, slug := range uniqueSlugs(strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == ',' })) {
		key := SlugKey(slug)
		id, ok := imp.lists[key]
		if !ok {
			unknown = append(unknown, strconv.Quote(truncate(slug, 64)))
			if !imp.unknown[key] && len(imp.rep.UnknownLists) < maxNotes {
				imp.unknown[key] = true
				imp.rep.UnknownLists = append(imp.rep.UnknownLists, truncate(slug, 64))
			}
			continue
		}
		if !slices.Contains(row.lists, id) { // "news;News" names news once
			row.lists = append(row.lists, id)
		}
	}
	if len(unknown) > 0 {
		return "lists: there is no list " + strings.Join(unknown, ", ")
	}
	if len(row.lists) > MaxLists {
		return "lists: use at most 50 lists"
	}
	return ""
}

// listless reports whether a row stored as status, whose status cell is
// said, may name no list. A reader on no list gets nothing, and a pending
// one a confirmation that names nothing to confirm: only a line that
// records someone gone, or a reader confirmed on no list (as an export
// writes them) in an import that vouches for consent, needs none.
func listless(status, said string) bool {
	switch status {
	case StatusUnsubscribed, StatusBounced:
		return true
	case StatusConfirmed:
		return strings.EqualFold(said, StatusConfirmed)
	}
	return false
}

// parseStatus sets the status the row is stored as when new: confirmed
// only when the import vouches for consent.
func (imp *importer) parseStatus(row *importRow, cell string) string {
	switch st := strings.ToLower(cell); st {
	case "", StatusConfirmed:
		row.status = StatusPending
		if imp.opt.Confirmed {
			row.status = StatusConfirmed
		}
	case StatusPending, StatusUnsubscribed, StatusBounced:
		row.status = st
	default:
		return "status: use pending, confirmed, unsubscribed or bounced, not " + strconv.Quote(truncate(cell, 40))
	}
	return ""
}

// parseAttributes checks the row's attributes: a JSON object within the
// API's limit.
func parseAttributes(row *importRow, cell string) string {
	if cell == "" {
		return ""
	}
	var attrs map[string]any
	if err := json.Unmarshal([]byte(cell), &attrs); err != nil {
		return `attributes: use a JSON object, like {"city":"Oslo"}`
	}
	if len(attrs) == 0 {
		return ""
	}
	buf, err := json.Marshal(attrs)
	if err != nil || len(buf) > MaxAttributesLen {
		return "attributes: keep attributes to at most 4 KiB of JSON"
	}
	row.attrs = string(buf)
	return ""
}

func parseTime(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, err
	}
	t = t.UTC()
	return &t, nil
}

// separatorInCell is what a cell holding the file's separator looks
// like, for the fault of a line with cells past the header's: a comma in
// a name, or, in a file separated by semicolons, the lists cell naming
// several (which the comma's example did not fit).
func (imp *importer) separatorInCell() string {
	switch imp.comma {
	case ';':
		return `a semicolon, like "daily-news;weekend" for a lists cell naming several`
	case '\t':
		return "a tab"
	}
	return `a comma, like "Smith, John"`
}
