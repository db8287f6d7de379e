package campaigns

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/mailer"
)

// maxFallback is the longest fallback text, in characters.
const maxFallback = 100

// A field is one {{ … }} an author wrote in a body: a personal field,
// with the fallback a reader without a name gets when it has one.
type field struct {
	start, end  int          // byte offsets of the whole {{ … }}
	of          mailer.Field // Name or Email
	fallback    string
	hasFallback bool
	literal     bool // {{ "{{" }}: two braces as text, not a field
}

// literalBraces matches {{ "{{" }}, the way to write two literal braces,
// as Go templates spell it.
var literalBraces = regexp.MustCompile(`^\{\{\s*"\{\{"\s*\}\}`)

// fieldAction matches the inside of a {{ … }}: a field, then an optional
// "| default "text"".
var fieldAction = regexp.MustCompile(`^\s*\.?\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*default\s+"([^"]*)"\s*)?$`)

// fieldSyntax is what the errors of parseFields point an author to.
const fieldSyntax = `the personal fields are {{ .Name }} and {{ .Email }}, with a fallback for readers without a name as {{ .Name | default "reader" }}; write {{ "{{" }} for two braces as text`

// parseFields finds every {{ … }} of body. Each must be a personal field,
// closed on its line: anything else is an error that names its line, so
// a typo shows when the campaign is saved rather than in every reader's
// mail. The error is the first fault scanFields finds.
func parseFields(body string) ([]field, error) {
	out, faults := scanFields(body)
	if len(faults) > 0 {
		return nil, faults[0].err
	}
	return out, nil
}

// A fieldFault is a {{ … }} of a body that is no personal field: where it
// stands (an unclosed one up to the end of its line) and why, with its
// line.
type fieldFault struct {
	start, end int
	err        error
}

// scanFields finds every {{ … }} of body, the personal fields and the
// faults alike: a save names them all at once (bodyFaults), where
// stopping at the first left the editor one refusal a save.
func scanFields(body string) ([]field, []fieldFault) {
	var out []field
	var faults []fieldFault
	for at := 0; ; {
		i := strings.Index(body[at:], "{{")
		if i < 0 {
			return out, faults
		}
		start := at + i
		if m := literalBraces.FindString(body[start:]); m != "" {
			out = append(out, field{start: start, end: start + len(m), literal: true})
			at = start + len(m)
			continue
		}
		line := 1 + strings.Count(body[:start], "\n")
		rest := body[start+2:]
		eol := strings.IndexByte(rest, '\n')
		if eol < 0 {
			eol = len(rest)
		}
		j := strings.Index(rest[:eol], "}}")
		if j < 0 {
			err := fmt.Errorf("line %d: %q is not closed: end it with }} on the same line (%s)", line, clipField(body[start:start+2+eol]), fieldSyntax)
			faults = append(faults, fieldFault{start: start, end: start + 2 + eol, err: err})
			at = start + 2 + eol
			continue
		}
		end := start + 2 + j + 2
		f, err := parseField(body[start+2 : end-2])
		if err != nil {
			faults = append(faults, fieldFault{start: start, end: end, err: fmt.Errorf("line %d: %s %s (%s)", line, body[start:end], err, fieldSyntax)})
			at = end
			continue
		}
		f.start, f.end = start, end
		out = append(out, f)
		at = end
	}
}

// parseField reads the inside of one {{ … }}.
func parseField(action string) (field, error) {
	m := fieldAction.FindStringSubmatch(action)
	if m == nil {
		if strings.Contains(action, "default") {
			return field{}, fmt.Errorf("has a fallback Bulletin cannot read: put it in double quotes after default")
		}
		return field{}, fmt.Errorf("is not a personal field")
	}
	of, ok := personalFields[m[1]]
	if !ok {
		return field{}, fmt.Errorf("names no personal field")
	}
	f := field{of: of, fallback: m[2], hasFallback: strings.Contains(action, "|")}
	switch {
	case utf8.RuneCountInString(f.fallback) > maxFallback:
		return field{}, fmt.Errorf("has a fallback over %d characters", maxFallback)
	case strings.ContainsFunc(f.fallback, unicode.IsControl):
		return field{}, fmt.Errorf("has a fallback with control characters")
	case strings.Contains(f.fallback, "{{") || strings.Contains(f.fallback, "}}"):
		return field{}, fmt.Errorf("has braces in its fallback")
	}
	return f, nil
}

// clipField shortens an unclosed {{ for an error message.
func clipField(s string) string {
	if utf8.RuneCountInString(s) <= 30 {
		return s
	}
	return string([]rune(s)[:30]) + "…"
}

// hasPersonalField says s holds something an author meant as a personal
// field: for the subject, which is the same for every reader.
func hasPersonalField(s string) bool {
	return personalField.MatchString(s) || fieldStart.MatchString(s)
}

// fieldStart matches the start of a {{ .Field …: a personal field, whole
// or not.
var fieldStart = regexp.MustCompile(`\{\{-?\s*\.`)

// NameWithoutFallback reports whether body writes a reader's name with no
// fallback ({{ .Name }} rather than {{ .Name | default "there" }}): a
// reader without a name then reads "Hi," (the name is left out with the
// space before it) where the sample reader of the preview reads "Hi Ada
// Reader,". A body whose fields do not parse is
// refused on save, and says nothing here.
func NameWithoutFallback(body string) bool {
	fields, err := parseFields(body)
	if err != nil {
		return false
	}
	for _, f := range fields {
		if !f.literal && f.of == mailer.Name && !f.hasFallback {
			return true
		}
	}
	return false
}

// WritesPersonalField reports whether body writes a personal field
// anywhere, the reader's name or address, with a fallback or without: a
// test mail fills each with the preview's sample reader's (Ada Reader,
// ada@example.com), not its editor's, which its editor should be told.
// Only the name counted, so a body writing {{ .Email }} alone went
// without the note, its test showing an address that was not the
// editor's.
func WritesPersonalField(body string) bool {
	fields, _ := scanFields(body)
	for _, f := range fields {
		if !f.literal { // every field personalFields reads is the sample reader's in a test
			return true
		}
	}
	return false
}
