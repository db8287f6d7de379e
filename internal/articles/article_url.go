package articles

import "strings"

// NormalizeURL is raw with the letters of its scheme and host in lower
// case, as an article's URL is stored and looked up: the scheme and the
// host name the same page in any case (RFC 3986 §6.2.2.1), so
// https://Example.com/a and https://example.com/a are one article. The
// user info, path, query and fragment keep their case, as a server may
// tell them apart. Only ASCII letters are folded, as SQLite's lower()
// does in migration 066, which folded the URLs stored before: the two
// must agree, or a stored URL would no longer be found. raw is returned
// as it is unless it is an http or https URL with an authority.
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
