package articles

import (
	"html"
	"strings"
)

// postedText is a title, summary, author or image alt text as the API or
// the admin's form gives it, read as a feed's title is (textGuess): CMS
// integrations post their excerpts and titles as HTML (a WordPress
// excerpt is "<p>…</p>", its title escapes its apostrophes), and a digest
// shows each as text, so its tags reached readers as text. Text holding a real HTML element
// (holdsHTML) goes through the feed poller's plain: tags gone, scripts
// and styles dropped with their content, entities decoded, one line with
// its paragraphs apart by a space, as a feed's summary is stored. Other
// text, such as "Vec<T>" or "Tides & <Times>", keeps its angle brackets
// and its lines, so a title's line break is still refused and a plain
// summary keeps its blank lines; its entities are decoded, as a feed's
// are.
func postedText(s string) string {
	if holdsHTML(s) {
		return plain(s)
	}
	return html.UnescapeString(s)
}

// setPosted sets *dst to v read as posted text (postedText), unless v is
// the text *dst already holds: a form or client sending a stored text
// back unchanged (the admin's form sends every field) must not read it
// again, or text a feed stored with literal tags ("use <b> for bold")
// would lose them at an edit of another field.
// A browser sends a textarea's lines ended by CRLF: they are compared
// and stored with LF, or every multi-line summary would be read again.
func setPosted(dst *string, v *string) {
	if v == nil {
		return
	}
	text := strings.ReplaceAll(*v, "\r\n", "\n")
	if text == strings.ReplaceAll(*dst, "\r\n", "\n") {
		return
	}
	*dst = postedText(text)
}
