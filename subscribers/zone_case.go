package subscribers

import (
	"strings"
	"time"
	"unicode"
)

// ZoneInOtherCase returns the IANA time zone name that name writes in
// other capitals ("europe/paris" for "Europe/Paris", "utc" for "UTC"),
// or "" when it finds none. Zone names are case-sensitive, and a form
// that only said to mind the capitals left the editor to guess them. It
// tries the two ways zone names are written, each word capitalised (with
// "_" and "-" between words) or all capitals, so it finds most zones, not
// the few with a lower-case word inside (America/Port-au-Prince).
func ZoneInOtherCase(name string) string {
	if name == "" || len(name) > 64 || name == "Local" || strings.EqualFold(name, "local") {
		return ""
	}
	for _, try := range []string{titleWords(name), strings.ToUpper(name)} {
		if try == name {
			continue
		}
		if _, err := time.LoadLocation(try); err == nil {
			return try
		}
	}
	return ""
}

// titleWords capitalises the first letter of each word of a zone name and
// lowers the rest: "america/new_york" is "America/New_York".
func titleWords(name string) string {
	var b strings.Builder
	start := true
	for _, r := range name {
		switch {
		case r == '/' || r == '_' || r == '-':
			start = true
		case start:
			r, start = unicode.ToUpper(r), false
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ZoneProblem says what is wrong with a time zone name LoadLocation
// refused: the name in the capitals it wants when those are all that is
// wrong, else how zone names are written.
func ZoneProblem(name string) string {
	if fixed := ZoneInOtherCase(name); fixed != "" {
		if why := FixedZoneProblem(fixed); why != "" {
			return why // "est": not "write EST", which is refused too
		}
		return `time zone names mind their capitals: write "` + fixed + `"`
	}
	return `use an IANA time zone name such as "Europe/Paris", "America/New_York" or "UTC" (mind the capitals)`
}
