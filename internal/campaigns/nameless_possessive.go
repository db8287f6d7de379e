package campaigns

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A possessive name, "{{ .Name }}'s picks", reads "your picks" to a reader
// without a name (bareNames.spans), and "Your picks" where the name
// starts a sentence: a paragraph, a heading, an item, or after the end of
// one.

// apostrophes are how an apostrophe stands in a part: typed, as the
// typographer writes it, or escaped.
var apostrophes = []string{"’", "'", "&rsquo;", "&#39;", "&#8217;", "&#x27;"}

// possessive is the length of the "’s" s starts with, the end of a
// possessive name, or 0.
func possessive(s string) int {
	for _, a := range apostrophes {
		if !strings.HasPrefix(s, a) || !strings.HasPrefix(s[len(a):], "s") {
			continue
		}
		k := len(a) + 1
		if r, _ := utf8.DecodeRuneInString(s[k:]); k == len(s) || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return k
		}
	}
	return 0
}

// sentenceStart says the name at s[a:] (or the element holding it)
// starts a sentence: it starts a line (atStart), or comes after ".", "!",
// "?" or "…" and perhaps closing quotes or brackets, with spaces,
// opening quotes and, in HTML, the tags of elements that may hold a name
// between them.
func (n *bareNames) sentenceStart(s string, a int, first bool) bool {
	j := a
	for {
		if n.atStart(s, j, first) {
			return true
		}
		r, size := utf8.DecodeLastRuneInString(s[:j])
		switch {
		case j == 0:
			return false
		case strings.ContainsRune(" \t“‘\"'([", r) || n.html && r == '\n':
			j -= size
		case !n.html && n.open != "" && strings.HasSuffix(s[:j], n.open):
			j -= len(n.open)
		case n.html && r == '>':
			i := strings.LastIndexByte(s[:j], '<')
			if i < 0 || !nameHolders[strings.TrimPrefix(closingTag(s[i:j]), "/")] {
				return false
			}
			j = i
		default:
			return sentenceEnd(s[:j])
		}
	}
}

// sentenceEnd says s ends a sentence: ".", "!", "?" or "…", then perhaps
// closing quotes or brackets.
func sentenceEnd(s string) bool {
	s = strings.TrimRight(s, "”’\")]")
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?…", r)
}

// closingTag is the name of the HTML tag t, as tagName has it, and of a
// closing tag "/name".
func closingTag(t string) string {
	if strings.HasPrefix(t, "</") {
		return "/" + tagName("<"+t[2:])
	}
	return tagName(t)
}
