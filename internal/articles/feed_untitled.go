package articles

import (
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// linkTitle is the title of a feed item with neither a title nor any text:
// the words of its link's last path segment ("/2026/12/bridge-reopens.html"
// gives "Bridge reopens"), or, when that holds none (a number, an id, no
// path), the link's host name. The link itself stood in before, and a
// digest then showed it twice: as the story's title and as its link.
func linkTitle(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return clipRunes(link, 300)
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	seg := path.Base(strings.TrimRight(u.EscapedPath(), "/"))
	if s, err := url.PathUnescape(seg); err == nil {
		seg = s
	}
	if ext := path.Ext(seg); ext != "" && len(ext) <= 6 && isLetters(ext[1:]) {
		seg = strings.TrimSuffix(seg, ext) // .html, .php and the like
	}
	words := strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' || r == '+' || unicode.IsSpace(r) })
	// Dates and numbers before the words ("2026-12-04-bridge-reopens")
	// say nothing the byline does not.
	for len(words) > 0 && !hasLetter(words[0]) {
		words = words[1:]
	}
	if !hasWord(words) {
		return clipRunes(host, 300)
	}
	t := strings.Join(words, " ")
	r, size := utf8.DecodeRuneInString(t)
	return clipRunes(string(unicode.ToUpper(r))+t[size:], 300)
}

// hasWord reports whether words hold a word of two letters or more, which
// an id of mixed letters and digits ("a8f3c2e9") or "index" is not taken
// for.
func hasWord(words []string) bool {
	if len(words) == 1 && strings.EqualFold(words[0], "index") {
		return false
	}
	for _, w := range words {
		if utf8.RuneCountInString(w) >= 2 && isLetters(w) {
			return true
		}
	}
	return false
}

// isLetters reports whether s is letters only, and not empty.
func isLetters(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
}

// hasLetter reports whether s has a letter.
func hasLetter(s string) bool { return strings.ContainsFunc(s, unicode.IsLetter) }
