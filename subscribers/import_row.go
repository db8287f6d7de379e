package subscribers

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// columns are the indexes of an import file's columns, -1 when absent.
type columns struct {
	email, name, lists, status, attributes, frequency, created, confirmed int
}

// cell returns the trimmed cell at column i of rec, as export wrote it.
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(fromTextCell(rec[i]))
}

// header reads a header row, reporting whether rec was one.
func (imp *importer) header(rec []string) bool {
	c, ok := headerColumns(rec)
	if ok {
		imp.cols = c
	}
	return ok
}

// headerColumns returns the columns a header row names; it is one only
// when it names an email column.
func headerColumns(rec []string) (columns, bool) {
	c := columns{email: -1, name: -1, lists: -1, status: -1, attributes: -1, frequency: -1, created: -1, confirmed: -1}
	for i, h := range rec {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "email", "e-mail", "email address":
			c.email = i
		case "name", "full name":
			c.name = i
		case "lists", "list":
			c.lists = i
		case "status":
			c.status = i
		case "attributes":
			c.attributes = i
		case "frequency":
			c.frequency = i
		case "created_at":
			c.created = i
		case "confirmed_at":
			c.confirmed = i
		}
	}
	return c, c.email >= 0
}

// bom is the UTF-8 byte-order mark some spreadsheets start a CSV file with.
var bom = []byte{0xEF, 0xBB, 0xBF}

// sniffComma reads the file's first line ahead, leaving it to be parsed,
// and returns what separates the cells. That is ';' when the line is a
// header whose cells are separated by semicolons, with no comma outside
// quotes: spreadsheets in languages that write decimal commas save CSV
// so. Otherwise it is ',', also for a headerless file, whose lines are
// read as they always were. A first line that starts with an email
// column's name yet is a header neither way has its cells separated by
// something else, such as tabs: every line would be refused as a bad
// address, so the import stops at once and says how to save the file.
func sniffComma(br *bufio.Reader) (rune, error) {
	head, _ := br.Peek(br.Size()) // a short read is EOF, or an error the parser meets on its own read
	line := firstLine(head)
	if !strings.ContainsRune(outsideQuotes(line), ',') {
		if rec, ok := parseLine(line, ';'); ok && len(rec) > 1 {
			if _, ok := headerColumns(rec); ok {
				return ';', nil
			}
		}
	}
	if rec, ok := parseLine(line, ','); ok {
		if _, ok := headerColumns(rec); ok {
			return ',', nil
		}
	}
	if startsWithEmailName(line) {
		return 0, bulletin.Errorf(bulletin.EINVALID, "The first line names the columns, but its cells are not separated by commas: save the file as CSV, with commas (or semicolons) between the cells.")
	}
	return ',', nil
}

// firstLine returns the first line of head without its line break; a
// line break inside a quoted cell does not end it.
func firstLine(head []byte) string {
	quoted := false
	for i, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case b == '\n' && !quoted:
			return strings.TrimSuffix(string(head[:i]), "\r")
		}
	}
	return string(head)
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
// email column followed by something that separates cells, not by the
// rest of an address: a line holding an @ is an address, never a header.
func startsWithEmailName(line string) bool {
	if strings.ContainsRune(line, '@') {
		return false
	}
	s := strings.ToLower(strings.TrimLeft(line, " \t\""))
	for _, name := range []string{"email address", "e-mail", "email"} {
		if rest, ok := strings.CutPrefix(s, name); ok {
			r, _ := utf8.DecodeRuneInString(rest)
			return rest == "" || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._+-", r))
		}
	}
	return false
}

// check normalises one record, counting it as invalid or skipped when it
// cannot be imported.
func (imp *importer) check(line int, rec []string) (importRow, bool) {
	if imp.cols.email >= len(rec) {
		imp.invalid(line, "", "no email column")
		return importRow{}, false
	}
	row, why := imp.parse(line, rec)
	if why != "" {
		imp.invalid(line, fromTextCell(rec[imp.cols.email]), why)
		return importRow{}, false
	}
	if first, ok := imp.seen[row.key]; ok {
		imp.skip(line, row.email, fmt.Sprintf("repeats line %d", first))
		return importRow{}, false
	}
	imp.seen[row.key] = line
	if imp.erased[imp.store.EmailHash(row.email)] {
		imp.skip(line, row.email, "this address was erased at its owner's request")
		return importRow{}, false
	}
	return row, true
}

// parse reads the cells of rec, or says what is wrong with them, with the
// same rules as a signup and the API.
func (imp *importer) parse(line int, rec []string) (importRow, string) {
	row := importRow{line: line}
	var msg string
	if row.email, msg = NormalizeEmail(fromTextCell(rec[imp.cols.email])); msg != "" {
		return row, "email: " + msg
	}
	row.key = EmailKey(row.email)
	if row.name, msg = NormalizeName(cell(rec, imp.cols.name)); msg != "" {
		return row, "name: " + msg
	}
	if msg = imp.parseLists(&row, cell(rec, imp.cols.lists)); msg != "" {
		return row, msg
	}
	if msg = imp.parseStatus(&row, cell(rec, imp.cols.status)); msg != "" {
		return row, msg
	}
	if msg = parseAttributes(&row, cell(rec, imp.cols.attributes)); msg != "" {
		return row, msg
	}
	switch row.freq = strings.ToLower(cell(rec, imp.cols.frequency)); row.freq {
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

// parseLists resolves the row's list slugs (separated by ';', as export
// writes them), with the import's own list; an unknown one makes the row
// invalid and is reported by name.
func (imp *importer) parseLists(row *importRow, cell string) string {
	if imp.list != 0 {
		row.lists = append(row.lists, imp.list)
	}
	var unknown []string
	for _, slug := range uniqueSlugs(strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == ',' })) {
		id, ok := imp.lists[slug]
		if !ok {
			unknown = append(unknown, strconv.Quote(truncate(slug, 64)))
			if !imp.unknown[slug] && len(imp.rep.UnknownLists) < maxNotes {
				imp.unknown[slug] = true
				imp.rep.UnknownLists = append(imp.rep.UnknownLists, truncate(slug, 64))
			}
			continue
		}
		if id != imp.list {
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
