package articles

import (
	"net/url"
	"strings"
)

// maxFeedURL is the longest feed URL Bulletin takes.
const maxFeedURL = 2000

// feedURL reads a feed's URL as an admin types it or an API client sends
// it, or says what is wrong with it. An address without a scheme
// ("harbourgazette.example/feed", the usual paste from a browser's
// address bar) is taken as https, and schemeAdded says so; every other
// mistake gets its own words, as one message for them all ("an absolute
// http or https URL without a user name") named a user name nobody gave.
func feedURL(raw string) (u *url.URL, schemeAdded bool, msg string) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return nil, false, "give the feed's URL: an absolute http or https URL, like https://example.com/feed.xml"
	case len(raw) > maxFeedURL:
		return nil, false, "give an absolute http or https URL of at most 2,000 characters"
	case strings.HasPrefix(raw, "//"):
		raw, schemeAdded = "https:"+raw, true
	case !hasScheme(raw):
		raw, schemeAdded = "https://"+raw, true
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, false, "give an absolute http or https URL, like https://example.com/feed.xml: this is not one"
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, false, "only http and https feeds can be polled: give the feed's http or https URL"
	case u.User != nil:
		return nil, false, "give the feed's URL without a user name or password: Bulletin polls feeds without logging in"
	case u.Hostname() == "":
		return nil, false, "give an absolute http or https URL, with the site's name, like https://example.com/feed.xml"
	case len(u.String()) > maxFeedURL:
		return nil, false, "give an absolute http or https URL of at most 2,000 characters"
	}
	return u, schemeAdded, ""
}

// hasScheme reports whether raw starts with a URL scheme ("https:",
// "file:", "mailto:"). A host and port ("localhost:8080/feed",
// "news.example:8080") reads as a scheme and an opaque part to a URL
// parser; here it is an address without a scheme.
func hasScheme(raw string) bool {
	i := strings.IndexByte(raw, ':')
	if i <= 0 || !validScheme(raw[:i]) {
		return false
	}
	rest := raw[i+1:]
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	if digits == 0 {
		return true
	}
	// "host:8080", "host:8080/feed", "host:8080?x": a port, not a scheme.
	return !(digits == len(rest) || strings.ContainsRune("/?#", rune(rest[digits])))
}

// validScheme reports whether s is a URL scheme by RFC 3986: a letter,
// then letters, digits, "+", "-" or ".".
func validScheme(s string) bool {
	for i, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}
