package subscribers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// columns are the indexes of an import file's columns, -1 when absent.
type columns struct {
	email, name, lists, status, attributes, frequency, created, confirmed int
	// first and last are a First Name and a Last Name column (as a
	// Mailchimp export has), which make the name when there is no name
	// column.
	first, last int
}

// header reads a header row, reporting whether rec was one. A header that
// names a column twice is an error: which cell is the reader's address,
// or name, would be left to chance. So is one that names no email
// column (see namesColumns): its rows would be read with the address in
// the first column, the header itself as a bad one. The columns not read
// go in the report, so that the operator knows what the file held that
// is not stored.
func (imp *importer) header(rec []string) (bool, error) {
	h := readHeader(rec)
	if h.cols.email < 0 {
		// After a first line that is not CSV, a line is a row: the
		// header, if any, was that first line.
		if imp.rows == 0 && namesColumns(rec) {
			return false, noEmailColumn(rec, imp.comma)
		}
		return false, nil
	}
	if a, b := h.twice[0], h.twice[1]; a != b {
		return false, bulletin.Errorf(bulletin.EINVALID, "The file has two %s columns, “%s” (column %d) and “%s” (column %d): keep one of them, or rename the other, and import the file again.",
			headerField(rec[a]), truncate(strings.TrimSpace(rec[a]), 64), a+1, truncate(strings.TrimSpace(rec[b]), 64), b+1)
	}
	imp.cols, imp.named = h.cols, len(rec)
	imp.rep.Header = true
	for _, i := range h.ignored[:min(len(h.ignored), maxNotes)] {
		name := truncate(strings.ToValidUTF8(strings.TrimSpace(rec[i]), "\uFFFD"), 64)
		if name == "" {
			name = "column " + strconv.Itoa(i+1) + " (no name)"
		}
		imp.rep.IgnoredColumns = append(imp.rep.IgnoredColumns, name)
	}
	return true, nil
}

// A header is what a header row says of the columns.
type header struct {
	cols columns
	// ignored are the columns the import does not read, in order.
	ignored []int
	// twice are the first two columns that name the same thing, or two
	// zeros.
	twice [2]int
}

// readHeader reads rec as a header row; it is one only when it names an
// email column.
func readHeader(rec []string) header {
	h := header{cols: columns{email: -1, name: -1, lists: -1, status: -1, attributes: -1, frequency: -1, created: -1, confirmed: -1,
		first: -1, last: -1}}
	c := &h.cols
	index := map[string]*int{"email": &c.email, "name": &c.name, "lists": &c.lists, "status": &c.status,
		"attributes": &c.attributes, "frequency": &c.frequency, "created_at": &c.created, "confirmed_at": &c.confirmed,
		"first name": &c.first, "last name": &c.last}
	for i, cell := range rec {
		f := headerField(cell)
		if f == "" {
			h.ignored = append(h.ignored, i)
			continue
		}
		if at := index[f]; *at < 0 {
			*at = i
		} else if h.twice[0] == h.twice[1] {
			h.twice = [2]int{*at, i}
		}
	}
	// A name column says the name: First Name and Last Name are then
	// columns like any other the import does not read.
	if c.name >= 0 {
		for _, i := range []int{c.first, c.last} {
			if i >= 0 {
				h.ignored = append(h.ignored, i)
			}
		}
		slices.Sort(h.ignored)
		c.first, c.last = -1, -1
	}
	return h
}

// ErrNoEmailColumn is (wrapped in) Import's error for a file whose first
// line names its columns but no email column among them. Its message is
// the *bulletin.Error's it wraps too.
var ErrNoEmailColumn = errors.New("no email column")

// namesColumns reports whether rec, a first line that names no email
// column, is a header all the same: no cell holds an @, as every row of
// a headerless file does in its first column, and some cell holds a
// letter, as a column's name does. Such a line read as a row would be
// refused as a bad address at best; at worst, with the email column
// elsewhere, every line after it would be.
func namesColumns(rec []string) bool {
	letter := false
	for _, c := range rec {
		if strings.ContainsRune(c, '@') {
			return false
		}
		letter = letter || strings.ContainsFunc(c, unicode.IsLetter)
	}
	return letter
}

// maxNamedColumns bounds the columns noEmailColumn names.
const maxNamedColumns = 10

// noEmailColumn is the error of a header with no email column: it names
// the columns the file has, as separated by comma, and those an address
// is read from. A file whose cells are separated by something the import
// does not read (tabs) is to be saved as CSV too.
func noEmailColumn(rec []string, comma rune) error {
	var names []string
	for _, c := range rec {
		if c = strings.TrimSpace(c); c != "" {
			names = append(names, "“"+truncate(shownCell(c), 64)+"”")
		}
	}
	found := "the column " + names[0]
	if len(names) > 1 {
		found = "the columns " + strings.Join(names[:min(len(names), maxNamedColumns)], ", ")
	}
	if more := len(names) - maxNamedColumns; more > 0 {
		found += fmt.Sprintf(" and %d more", more)
	}
	fix := "Name the column of addresses “email” (“e-mail”, “email address” and “email_address” are read too, in any case) and import the file again."
	switch comma {
	case ',':
	case ';':
		found += ", separated by semicolons (which are read as well as commas)"
	default:
		found += ", separated by " + separatorName(comma) + ", which the import does not read"
		fix = "Save the file as CSV, with commas (or semicolons) between the cells, name the column of addresses “email” (“e-mail”, “email address” and “email_address” are read too, in any case), and import that file."
	}
	return fmt.Errorf("%w: %w", ErrNoEmailColumn, bulletin.Errorf(bulletin.EINVALID,
		"The file has no email column: its first line names %s. %s A file without a line of column names has an address first on every line, the first line too.",
		found, fix))
}

// shownCell is a cell of the file as a message may show it, in a page or
// on a terminal: valid UTF-8, its control characters (an escape sequence,
// a line break) each replaced by U+FFFD.
func shownCell(c string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(c, "\uFFFD"))
}

// headerField returns what a header cell names: "email", "name",
// "lists", "status", "attributes", "frequency", "created_at",
// "confirmed_at", "first name" or "last name"; "" for a column the import
// does not read.
func headerField(cell string) string {
	k := strings.ToLower(strings.TrimSpace(cell))
	// Email, E-Mail, Email Address (Mailchimp), email_address, EmailAddress.
	switch strings.NewReplacer(" ", "", "_", "", "-", "").Replace(k) {
	case "email", "emailaddress":
		return "email"
	}
	switch k {
	case "name", "full name":
		return "name"
	case "lists", "list":
		return "lists"
	case "status", "attributes", "frequency", "created_at", "confirmed_at":
		return k
	}
	// First Name, first_name, FIRSTNAME.
	switch strings.NewReplacer(" ", "", "_", "").Replace(k) {
	case "firstname":
		return "first name"
	case "lastname":
		return "last name"
	}
	return ""
}

// headerColumns returns the columns a header row names; it is one only
// when it names an email column.
func headerColumns(rec []string) (columns, bool) {
	h := readHeader(rec)
	return h.cols, h.cols.email >= 0
}
