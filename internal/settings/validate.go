package settings

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Limits of the text fields.
const (
	MaxNameRunes   = 100
	MaxPostalLines = 8
	MaxPostalRunes = 400
)

var accentPattern = regexp.MustCompile(`^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$`)

// Validate tidies u's fields (spaces trimmed, URLs without a trailing
// slash, the accent as lower-case #rrggbb, the address one line per line)
// and checks them all, returning a validation error that names every bad
// one by its form name, and the extension of a new logo.
func (u *Update) Validate() (logoExt string, err error) {
	fields := map[string]string{}
	check := func(field, why string) {
		if why != "" {
			fields[field] = why
		}
	}
	p := &u.Publication
	p.Name, p.FromName = strings.TrimSpace(p.Name), strings.TrimSpace(p.FromName)
	check("name", checkLine(p.Name, "the name"))
	check("from_name", checkLine(p.FromName, "the sender's name"))
	p.PublicURL = strings.TrimRight(strings.TrimSpace(p.PublicURL), "/")
	check("public_url", checkURL(p.PublicURL, "https://news.example.com"))
	p.WebsiteURL = strings.TrimSpace(p.WebsiteURL)
	check("website_url", checkURL(p.WebsiteURL, "https://www.example.com"))
	p.Accent = strings.ToLower(strings.TrimSpace(p.Accent))
	if p.Accent != "" {
		if m := accentPattern.FindStringSubmatch(p.Accent); m == nil {
			fields["accent"] = "write the colour as #rrggbb in hex, e.g. #1f5fbf"
		} else if len(m[1]) == 3 {
			p.Accent = "#" + strings.Repeat(m[1][:1], 2) + strings.Repeat(m[1][1:2], 2) + strings.Repeat(m[1][2:], 2)
		} else {
			p.Accent = "#" + m[1]
		}
	}
	var why string
	p.PostalAddress, why = tidyPostal(p.PostalAddress)
	check("postal_address", why)
	p.FromAddress = strings.TrimSpace(p.FromAddress)
	check("from_address", checkBareAddress(p.FromAddress))
	p.ReplyTo = strings.TrimSpace(p.ReplyTo)
	if p.ReplyTo != "" {
		why := checkSender(p.ReplyTo)
		check("reply_to", why)
		if why == "" {
			if a, _ := mail.ParseAddress(p.ReplyTo); a.Name == "" {
				p.ReplyTo = a.Address
			} else {
				p.ReplyTo = a.String()
			}
		}
	}
	if u.Logo != nil {
		logoExt, why = sniffLogo(u.Logo)
		check("logo", why)
	}
	if len(fields) > 0 {
		return "", bulletin.Invalid(fields)
	}
	return logoExt, nil
}

// checkLine says what is wrong with a one-line name, or "".
func checkLine(v, what string) string {
	switch {
	case strings.ContainsFunc(v, unicode.IsControl):
		return "write " + what + " on one line, without control characters"
	case utf8.RuneCountInString(v) > MaxNameRunes:
		return fmt.Sprintf("keep %s to %d characters", what, MaxNameRunes)
	}
	return ""
}

// checkURL says what is wrong with an absolute http(s) URL, or "" for a
// good one or none.
func checkURL(v, example string) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsFunc(v, unicode.IsSpace):
		return "write a whole address starting with https:// (or http://), e.g. " + example
	case u.User != nil:
		return "leave out the user name and password: this address is shown to readers"
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(v, "?#"):
		return "leave out the query (?…) and fragment (#…): links are added after this address"
	}
	return ""
}

// tidyPostal trims each line of a postal address and drops blank ones,
// and says what is wrong with it, or "".
func tidyPostal(v string) (string, string) {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	out := strings.Join(lines, "\n")
	switch {
	case strings.ContainsFunc(out, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }):
		return out, "remove the control characters (tabs and the like): write plain lines"
	case len(lines) > MaxPostalLines:
		return out, fmt.Sprintf("keep the address to %d lines", MaxPostalLines)
	case utf8.RuneCountInString(out) > MaxPostalRunes:
		return out, fmt.Sprintf("keep the address to %d characters", MaxPostalRunes)
	}
	return out, ""
}

// checkBareAddress says what is wrong with a From address (without a
// name: that is its own field), or "".
func checkBareAddress(v string) string {
	if v == "" {
		return ""
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return "write one address on one line"
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r > unicode.MaxASCII }) {
		return "use an address in ASCII (a domain in another script in its xn-- form)"
	}
	a, err := mail.ParseAddress(v)
	switch {
	case err != nil || !strings.Contains(a.Address, "@"):
		return "write one address, e.g. news@example.com"
	case a.Name != "" || a.Address != v:
		return "write only the address, e.g. news@example.com: the name has its own field"
	}
	return ""
}

// checkSender says what is wrong with a Reply-To, or "": one address,
// with or without a display name, in ASCII.
func checkSender(v string) string {
	if strings.ContainsFunc(v, unicode.IsControl) {
		return "write one address on one line"
	}
	a, err := mail.ParseAddress(v)
	if err != nil || !strings.Contains(a.Address, "@") {
		return `write one address, e.g. "desk@example.com" or "News desk <desk@example.com>"`
	}
	if strings.ContainsFunc(a.Address, func(r rune) bool { return r > unicode.MaxASCII }) {
		return "use an address in ASCII (a domain in another script in its xn-- form)"
	}
	return ""
}
