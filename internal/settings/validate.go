package settings

import (
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/language"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/templates"
)

// Limits of the text fields.
const (
	MaxNameRunes   = 100
	MaxPostalLines = 8
	MaxPostalRunes = 400
)

var accentPattern = regexp.MustCompile(`^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$`)

// Validate tidies u's fields (spaces trimmed, URLs without a trailing
// slash, the accent as lower-case #rrggbb, the address one line per line,
// the language as its canonical tag) and checks them all, returning a
// validation error that names every bad one by its form name, and the
// extension of a new logo.
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
	var why string
	p.PublicURL, why = TidyPublicURL(strings.TrimRight(strings.TrimSpace(p.PublicURL), "/"), "https://news.example.com")
	check("public_url", why)
	p.WebsiteURL, why = TidyURL(strings.TrimSpace(p.WebsiteURL), "https://www.example.com")
	check("website_url", why)
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
	p.Language, why = tidyLanguage(p.Language)
	check("language", why)
	if u.Logo != nil {
		logoExt, why = sniffLogo(u.Logo)
		check("logo", why)
	}
	if len(fields) > 0 {
		return "", bulletin.Invalid(fields)
	}
	return logoExt, nil
}

// lightAccent is the contrast on white under which an accent is too
// light to read as text at all (WCAG's 3:1 for large text): the settings
// page then says which darker shade links are shown in.
const lightAccent = 3

// LinkShade is the darker shade of accent that links and other accent
// text are shown in on white (templates.Brand.AccentText), when accent
// itself reads at under 3:1 there; "" for an accent that reads, or is
// not "#rrggbb". The accent is saved all the same: buttons and bars keep
// it, and this shade stays in its hue.
func LinkShade(accent string) string {
	if !accentPattern.MatchString(accent) || len(accent) != 7 || templates.Contrast(accent, "#ffffff") >= lightAccent {
		return ""
	}
	return templates.Brand{Accent: accent}.AccentText()
}

// tidyLanguage returns v, a BCP 47 language tag, in its canonical form
// ("pt_br" is "pt-BR", the deprecated "iw" is "he"), the one pages and
// mails give as their lang, and says what is wrong with it, or "" for a
// good one or none. A tag must name a language: "und" (undetermined) and
// a private-use tag alone ("x-mine") tell a screen reader nothing.
func tidyLanguage(v string) (string, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", ""
	}
	const how = "use a language tag such as en, fr, de or pt-BR (the language, then maybe a hyphen and the country)"
	tag, err := language.Parse(v)
	if err != nil {
		return v, how
	}
	if _, conf := tag.Base(); conf != language.Exact {
		return v, how
	}
	return tag.String(), ""
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

// TidyURL returns v, an absolute http(s) URL that links are made from,
// with a host name in another script in its xn-- form (the form mail
// headers and DNS take), and says what is wrong with it, or "" for a good
// one or none; example shows a good one. The host must be a host name or
// an IP address, and the URL must hold no character that a link in a page
// or in the List-Unsubscribe header "<URL>" would end at or mangle.
func TidyURL(v, example string) (string, string) {
	if v == "" {
		return "", ""
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsFunc(v, unicode.IsSpace):
		return v, "write a whole address starting with https:// (or http://), e.g. " + example
	case u.User != nil:
		return v, "leave out the user name and password: this address is shown to readers"
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(v, "?#"):
		return v, "leave out the query (?…) and fragment (#…): links are added after this address"
	}
	// The host as typed: url.Parse has undone any percent-encoding in it.
	rawHost, _, _ := strings.Cut(v[len(u.Scheme)+len("://"):], "/")
	ascii, why := checkHost(rawHost, example)
	if why != "" {
		return v, why
	}
	if i := strings.IndexAny(v, "<>\"{}|\\^`"); i >= 0 {
		return v, fmt.Sprintf("remove the '%c' from the address (or write it percent-encoded): a link would end or break at it", v[i])
	}
	v = lowerScheme(v)
	if ascii != rawHost {
		u.Host = ascii
		v = u.String()
	}
	return v, ""
}

// lowerScheme returns the URL v with its scheme, up to the first ':', in
// lower case, as url.Parse reads it: HTTPS://… would start every link in
// mail so, and serve, which marks cookies Secure and sends HSTS for a
// public URL that starts "https://", did neither.
func lowerScheme(v string) string {
	scheme, rest, ok := strings.Cut(v, ":")
	if !ok {
		return v
	}
	return strings.ToLower(scheme) + ":" + rest
}

// TidyPublicURL is TidyURL for the public URL (BULLETIN_BASE_URL or the
// settings' field), which must also have no path: mail links would carry
// it, but Bulletin's routes, redirects and forms are all at the root of
// its host, so every page behind such a link would be a 404. The website
// of the publication is a link like any other and may have one.
func TidyPublicURL(v, example string) (string, string) {
	v, why := TidyURL(v, example)
	if why != "" || v == "" {
		return v, why
	}
	if u, err := url.Parse(v); err == nil && u.Path != "" && u.Path != "/" {
		return v, fmt.Sprintf("leave out the path %s: Bulletin cannot be served under a path; give it a host name of its own, e.g. %s", u.EscapedPath(), example)
	}
	return v, ""
}

// checkHost returns the host of a URL (a name, maybe with a port) with a
// name in another script in its xn-- form, and says what is wrong with
// it, or "".
func checkHost(host, example string) (string, string) {
	name, port := host, ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		name, port = host[:i], host[i+1:]
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '+' {
			return host, fmt.Sprintf("write the port after %q as a number from 1 to 65535, or leave it out", name)
		}
	}
	if strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]") {
		if a, err := netip.ParseAddr(name[1 : len(name)-1]); err != nil || !a.Is6() || a.Zone() != "" {
			return host, fmt.Sprintf("%q is not an IPv6 address: write one in brackets, e.g. https://[2001:db8::1], or a host name, e.g. %s", name, example)
		}
		return host, ""
	}
	// Lookup also checks the xn-- labels of a name typed in that form.
	ascii, err := idna.Lookup.ToASCII(name)
	if strings.ContainsFunc(name, func(r rune) bool { return r > unicode.MaxASCII }) {
		if err != nil {
			return host, fmt.Sprintf("%q cannot be written as a host name in its xn-- form (%v): check its spelling, or type the xn-- form", name, err)
		}
	} else if err == nil {
		ascii = name // as typed, capitals and all
	}
	if err != nil || !isHostName(ascii) {
		return host, fmt.Sprintf("%q is not a host name: use only letters, digits, and hyphens and dots between them, e.g. %s", name, example)
	}
	if port != "" {
		return ascii + ":" + port, ""
	}
	return ascii, ""
}

// isHostName reports whether name is an IPv4 address or a DNS host name:
// dot-separated labels of 1–63 letters, digits and inner hyphens, 253
// characters at most, the last not all digits (which would be a broken
// IPv4 address).
func isHostName(name string) bool {
	if a, err := netip.ParseAddr(name); err == nil {
		return a.Is4()
	}
	if len(name) > 253 {
		return false
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range []byte(l) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.TrimLeft(last, "0123456789") != ""
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
