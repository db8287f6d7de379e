package subscribers

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // lists name IANA zones; the binary must know them without /usr/share/zoneinfo
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Weekdays are the names a list's DigestWeekday takes, Monday first.
var Weekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// The tracking modes of a list (SPEC §7), from the least recorded to the
// most: links not rewritten; clicks counted without naming the reader;
// each click tied to its delivery.
const (
	TrackingOff       = "off"
	TrackingAnonymous = "anonymous"
	TrackingOn        = "on"
)

// MaxWelcome bounds a list's welcome mail, in characters.
const MaxWelcome = 50_000

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// A WelcomeCheck says why a list's welcome text would not render when a
// reader confirms, or returns nil. Welcome mails are rendered as campaigns
// are (campaigns.Render), which this package cannot call, campaigns
// importing it: the admin's list forms and the API pass that check to
// CreateList and UpdateList, so a text that would not render is refused
// with its line when saved rather than dropped at every confirmation.
type WelcomeCheck func(markdown string) error

// Validate checks l and fills defaults (digest off, Mondays, UTC, tracking anonymous),
// returning a validation error that names each bad field.
func (l *List) Validate() error { return l.validate(nil, "", "") }

// validate is Validate, with a welcome text that is not empty also passing
// each of checks. saved is the welcome text the list has stored: when
// that one fails, saved before welcome texts were checked, the message
// says so, since the editor may have changed another field only.
// savedZone is the time zone the list has stored: a fixed offset
// (FixedZoneProblem) is refused only as a new zone, so that a list saved
// with one before they were refused keeps working and can be changed in
// its other fields (the admin's pages warn of it).
func (l *List) validate(checks []WelcomeCheck, saved, savedZone string) error {
	l.Slug = strings.TrimSpace(l.Slug)
	l.Name = strings.TrimSpace(l.Name)
	l.DigestWeekday = strings.ToLower(strings.TrimSpace(l.DigestWeekday))
	l.Timezone = strings.TrimSpace(l.Timezone)
	l.From, l.ReplyTo = strings.TrimSpace(l.From), strings.TrimSpace(l.ReplyTo)
	if l.Digest == "" {
		l.Digest = "off"
	}
	if l.DigestWeekday == "" {
		l.DigestWeekday = "monday"
	}
	if l.Timezone == "" {
		l.Timezone = "UTC"
	}
	l.Tracking = strings.ToLower(strings.TrimSpace(l.Tracking))
	if l.Tracking == "" {
		l.Tracking = TrackingAnonymous
	}
	fields := map[string]string{}
	if !slugRE.MatchString(l.Slug) || len(l.Slug) > 64 {
		fields["slug"] = "use 1–64 lower-case letters, digits and single dashes"
	}
	switch {
	case l.Name == "" || utf8.RuneCountInString(l.Name) > 100:
		fields["name"] = "give a name of 1–100 characters"
	case strings.ContainsFunc(l.Name, badNameRune):
		// It stands in subjects, List-Id, one-line footers and the public
		// form: what a reader's name may not hold (badNameRune) breaks
		// those lines, or disguises the text, as much.
		fields["name"] = "write the name on one line as plain text, without control characters, line or paragraph separators or direction overrides"
	case strings.ContainsRune(l.Name, utf8.RuneError):
		fields["name"] = garbled
	}
	if utf8.RuneCountInString(l.Description) > 1000 {
		fields["description"] = "keep the description to at most 1000 characters"
	}
	if l.Digest != "daily" && l.Digest != "weekly" && l.Digest != "off" {
		fields["digest"] = "use daily, weekly or off"
	}
	switch l.Tracking {
	case TrackingOff, TrackingAnonymous, TrackingOn:
	default:
		fields["tracking"] = "use off, anonymous or on"
	}
	if l.DigestHour < 0 || l.DigestHour > 23 {
		fields["digest_hour"] = "use an hour from 0 to 23"
	}
	if !isWeekday(l.DigestWeekday) {
		fields["digest_weekday"] = "use a day of the week in English: monday, tuesday, … sunday"
	}
	if why := checkZone(l.Timezone); why != "" {
		fields["timezone"] = why
	} else if l.Timezone != savedZone {
		if why := FixedZoneProblem(l.Timezone); why != "" {
			fields["timezone"] = why
		}
	}
	if why := checkSender(l.From); why != "" {
		fields["from"] = why
	}
	if why := checkSender(l.ReplyTo); why != "" {
		fields["reply_to"] = why
	}
	var welcome []string
	if utf8.RuneCountInString(l.Welcome) > MaxWelcome {
		welcome = append(welcome, "keep the welcome mail to at most 50,000 characters")
	}
	if why := CheckWelcome(l.Welcome, l.Welcome == saved, checks...); why != "" {
		if l.Welcome == saved {
			why = "the welcome mail saved earlier does not render, so readers who confirm get none; fix it or empty it to save the list: " + why
		}
		welcome = append(welcome, why)
	}
	if len(welcome) > 0 {
		fields["welcome"] = strings.Join(welcome, "\n")
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// CheckWelcome says why the welcome text md fails checks, every reason on
// a line of its own, or "". An error joining several (errors.Join, as
// campaigns.CheckBody's does) counts as each of them: a save names every
// fault of the text at once, where the first alone left the editor one
// refusal a save. A text saved already (stored) is not refused for what
// only new texts are (a NewTextOnly error): it sends as it is, and
// refusing it would stop every other change to its list.
func CheckWelcome(md string, stored bool, checks ...WelcomeCheck) string {
	if md == "" {
		return ""
	}
	var whys []string
	for _, check := range checks {
		for _, err := range faultsOf(check(md)) {
			if !(stored && IsNewTextOnly(err)) {
				whys = append(whys, err.Error())
			}
		}
	}
	return strings.Join(whys, "\n")
}

// faultsOf is the errors err joins (errors.Join), or err alone.
func faultsOf(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// A NewTextOnly error refuses a text being written, not one stored before
// the check existed, which still sends as it is: a relative link in a
// welcome mail (campaigns' checkLinks).
type NewTextOnly interface {
	error
	NewTextOnly() bool
}

// IsNewTextOnly reports whether err refuses only a text being written.
func IsNewTextOnly(err error) bool {
	var e NewTextOnly
	return errors.As(err, &e) && e.NewTextOnly()
}

func isWeekday(s string) bool {
	for _, d := range Weekdays {
		if s == d {
			return true
		}
	}
	return false
}

// checkZone says what is wrong with an IANA time zone name, or "".
// "Local" is refused: it is whatever the server's clock says, which moves
// with the machine the data folder is restored on.
func checkZone(name string) string {
	if name == "Local" {
		return `name the zone, e.g. "Europe/Paris" or "UTC", not "Local"`
	}
	if _, err := time.LoadLocation(name); err != nil {
		return ZoneProblem(name)
	}
	return ""
}

// checkSender says what is wrong with a From or Reply-To, or "" for a
// valid one or none: one address, optionally with a display name, with an
// ASCII address part, and nothing that could start a header line.
func checkSender(v string) string {
	if v == "" {
		return ""
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return "write one address on one line"
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		return `write one address, e.g. "news@example.com" or "Harbour Gazette <news@example.com>"`
	}
	for _, r := range a.Address {
		if r > unicode.MaxASCII {
			return "use an address in ASCII (a domain in another script in its xn-- form)"
		}
	}
	return ""
}
