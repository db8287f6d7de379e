package campaigns

import (
	"cmp"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/subscribers"
)

// bodyFaults is every reason a body being saved is refused, by line:
// each {{ … }} that is no personal field, the elements mail cannot show
// (refusedElement) and the links and images that are not full URLs
// (checkLinks). The check stopped at the first kind it found, and an editor
// whose body held all three learnt of them one save at a time. The links
// are checked with each faulty {{ … }} taken out, since the body does not
// render with it; that keeps every line where it was. A fault that is
// only a new body's (subscribers.NewTextOnly) is left out when the body
// is the one stored: it sends as it is.
func bodyFaults(body, stored string) []error {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	unchanged := body == strings.ReplaceAll(stored, "\r\n", "\n")
	_, bad := scanFields(body)
	var faults []error
	rest, at := strings.Builder{}, 0
	for i, f := range bad {
		err := f.err
		if i > 0 {
			// The help on writing a field is said once, with the first.
			err = errors.New(strings.TrimSuffix(err.Error(), " ("+fieldSyntax+")"))
		}
		faults = append(faults, err)
		rest.WriteString(body[at:f.start])
		at = f.end
	}
	rest.WriteString(body[at:])
	if err := refusedElement(body); err != nil {
		faults = append(faults, err)
	}
	if err := checkFields(rest.String()); err != nil {
		faults = append(faults, err)
	}
	faults = slices.DeleteFunc(faults, func(err error) bool { return unchanged && subscribers.IsNewTextOnly(err) })
	slices.SortStableFunc(faults, func(a, b error) int { return cmp.Compare(faultLine(a), faultLine(b)) })
	return faults
}

// faultAt matches the line a fault's message starts with.
var faultAt = regexp.MustCompile(`^line (\d+): `)

// faultLine is the line err's message names first, or a line past every
// body's for one that names none, which goes last.
func faultLine(err error) int {
	m := faultAt.FindStringSubmatch(err.Error())
	if m == nil {
		return int(^uint(0) >> 1)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// joinFaults is the body field's reason for faults: one a line, so the
// form and the API's fields.body (one string, as before) say them all.
func joinFaults(faults []error) string {
	lines := make([]string, len(faults))
	for i, err := range faults {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}
