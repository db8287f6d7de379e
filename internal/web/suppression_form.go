package web

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// maxLiftReason bounds the reason given for lifting a suppression.
const maxLiftReason = 500

// A suppressionForm adds an entry to the suppression list: the API's JSON
// or the admin page's form (which sends one field, Target, and a note).
type suppressionForm struct {
	Address string `json:"address"`
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
	Note    string `json:"note"`
	// Target is an address or a domain, told apart by the @.
	Target string `json:"-"`
}

// target checks the form and returns the address or domain in the form
// the suppression list holds, or an EINVALID error naming the field.
func (f *suppressionForm) target() (string, error) {
	if f.Target = strings.TrimSpace(f.Target); f.Target != "" {
		if strings.Contains(f.Target, "@") {
			f.Address = f.Target
		} else {
			f.Domain = f.Target
		}
	}
	if f.Reason == "" {
		f.Reason = events.ReasonManual
	}
	switch f.Reason {
	case events.ReasonComplaint, events.ReasonBounce, events.ReasonErased, events.ReasonManual:
	default:
		return "", bulletin.Invalid(map[string]string{"reason": "use complaint, bounce, erased or manual (the default)"})
	}
	// Characters, as the page's maxlength counts them: "é" is two bytes.
	if utf8.RuneCountInString(f.Note) > maxLiftReason {
		return "", bulletin.Invalid(map[string]string{"note": "use at most 500 characters"})
	}
	addr, domain := strings.TrimSpace(f.Address), strings.TrimSpace(f.Domain)
	switch {
	case addr != "" && domain != "":
		return "", bulletin.Invalid(map[string]string{"address": "give an address or a domain, not both"})
	case addr != "":
		email, msg := subscribers.NormalizeEmail(addr)
		if msg != "" {
			return "", bulletin.Invalid(map[string]string{"address": msg})
		}
		return subscribers.EmailKey(email), nil
	case domain != "":
		d, msg := normalizeDomain(domain)
		if msg != "" {
			return "", bulletin.Invalid(map[string]string{"domain": msg})
		}
		return d, nil
	}
	// The form and the CSV send one field, the API two members: the
	// words fit both, naming neither.
	return "", bulletin.Invalid(map[string]string{"address": "give an address to suppress, like name@example.com, or a whole domain, like example.com"})
}

// normalizeDomain checks a domain the way an address's domain is checked,
// returning its ASCII (xn--) form in lower case, or a message saying what
// to fix.
func normalizeDomain(d string) (string, string) {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	if strings.Contains(d, "@") {
		return "", "give just the domain, like example.com: the part after the @"
	}
	email, msg := subscribers.NormalizeEmail("postmaster@" + d)
	if msg != "" || !strings.Contains(d, ".") {
		return "", domainProblem(d)
	}
	return subscribers.EmailKey(email[len("postmaster@"):]), ""
}

// domainProblem says what is wrong with d, which is no domain, when that
// is plain from its form: a URL's scheme or path, a port, spaces.
func domainProblem(d string) string {
	// like is the domain d seems to hold, offered as the example.
	like, extra := d, []string{}
	if scheme, rest, ok := strings.Cut(like, "://"); ok {
		like = rest
		extra = append(extra, "\""+scheme+"://\"")
	}
	if host, _, ok := strings.Cut(like, "/"); ok {
		like = host
		extra = append(extra, "the path")
	}
	if host, port, ok := strings.Cut(like, ":"); ok && port != "" && strings.Trim(port, "0123456789") == "" {
		like = host
		extra = append(extra, "the port")
	}
	if strings.ContainsFunc(like, unicode.IsSpace) {
		return "give one domain, like example.com, without spaces"
	}
	if len(extra) == 0 {
		return "enter a domain like example.com"
	}
	if _, msg := normalizeDomain(like); msg != "" {
		like = "example.com"
	}
	return "give just the domain, like " + like + ": without " + strings.Join(extra, " and ")
}

// liftTarget is an address or domain given to lift in the form the
// suppression list holds it, as target stores it (an address's domain in
// its xn-- form, a domain without its trailing dot); one that is no valid
// address or domain, like an entry kept from before the checks, stays as
// given.
func liftTarget(t string) string {
	t = strings.TrimSpace(t)
	if strings.Contains(t, "@") {
		if email, msg := subscribers.NormalizeEmail(t); msg == "" {
			return subscribers.EmailKey(email)
		}
	} else if d, msg := normalizeDomain(t); msg == "" {
		return d
	}
	return t
}

// liftReason checks the reason given for lifting and makes it one line;
// it is empty when none was given.
func liftReason(reason string) (string, error) {
	reason = strings.Join(strings.FieldsFunc(reason, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if utf8.RuneCountInString(reason) > maxLiftReason {
		return "", bulletin.Invalid(map[string]string{"reason": "use at most 500 characters"})
	}
	return reason, nil
}
