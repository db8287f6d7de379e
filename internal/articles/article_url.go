package articles

import "strings"

// ArticleURL is raw as an article's URL is stored and looked up, a
// feed's item by its link, and a feed by its URL (Feeds.Add, migration
// 098): its scheme and host in lower case
// (NormalizeURL), without the scheme's default port (:443 for https, :80
// for http, written with leading zeros or empty, RFC 3986 §6.2.3).
// https://Example.com:443/a and https://example.com/a are one article: a
// CMS that writes the port made a second article of a story, one an
// editor had deleted included, and mailed it again. The fragment is
// kept: it can be all that tells two items of a feed apart (a changelog's
// /changes#v1.2 and /changes#v1.3), which would otherwise be one article
// and lose the other. The user info, path, query and fragment keep their
// case and form, as a server may tell them apart. Migration 095 dropped
// the default port of the URLs stored before, as this does: the two must
// agree, or a stored URL would no longer be found. raw is returned as
// NormalizeURL returns it unless it is an http or https URL with an
// authority and a host before the port.
func ArticleURL(raw string) string {
	s := NormalizeURL(raw)
	i := strings.Index(s, "://")
	if i < 0 || (s[:i] != "http" && s[:i] != "https") {
		return s
	}
	end := strings.IndexAny(s[i+3:], "/?#")
	if end < 0 {
		end = len(s) - i - 3
	}
	end += i + 3 // s[i+3:end] is the authority
	def := "443"
	if s[:i] == "http" {
		def = "80"
	}
	hostport := s[i+3 : end]
	for {
		// The port follows the host's last colon, but for a colon inside
		// an IPv6 address's brackets or in the user info; a colon right
		// after the user info (or at the start) has no host before it,
		// and stays. A port given twice (h:443:443) is no valid URL's,
		// but both go, so that the form is one (twice is once).
		at := strings.LastIndexByte(hostport, '@')
		c := strings.LastIndexByte(hostport, ':')
		if c <= at+1 || c < strings.LastIndexByte(hostport, ']') {
			break
		}
		if port := hostport[c+1:]; port != "" && strings.TrimLeft(port, "0") != def {
			break
		}
		hostport = hostport[:c]
	}
	return s[:i+3] + hostport + s[end:]
}

// NormalizeURL is raw with the letters of its scheme and host in lower
// case: the scheme and the host name the same page in any case (RFC 3986
// §6.2.2.1), so https://Example.com/a and https://example.com/a are one
// article (ArticleURL, which also drops a default port) and one webhook
// endpoint. The user info, path, query and fragment keep their case, as
// a server may tell them apart. Only ASCII letters are folded, as
// SQLite's lower() does in migration 066, which folded the URLs stored
// before: the two must agree, or a stored URL would no longer be found.
// raw is returned as it is unless it is an http or https URL with an
// authority.
func NormalizeURL(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	scheme, after := raw[:i], raw[i+3:]
	if !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return raw
	}
	// The authority ends where the path, query or fragment starts (as
	// net/url reads it), and its host after the last "@".
	end := strings.IndexAny(after, "/?#")
	if end < 0 {
		end = len(after)
	}
	authority, rest := after[:end], after[end:]
	at := strings.LastIndex(authority, "@") + 1
	return lowerASCII(scheme) + "://" + authority[:at] + lowerASCII(authority[at:]) + rest
}

// lowerASCII folds the ASCII letters of s to lower case, leaving every
// other byte as it is (invalid UTF-8 too, which strings.ToLower would
// replace).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
