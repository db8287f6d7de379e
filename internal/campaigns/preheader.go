package campaigns

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/mailer"
)

// preheaderImage matches an image as the text part writes it (its alt
// text in square brackets, then its URL in round ones), and preheaderLink
// a link's URL in the brackets after its text (a mailto link's address
// alone: mailtoAddress), each with the space before it, so no space is left before the punctuation after them: the
// inbox line leaves both out. preheaderURL matches a URL written out in
// the prose, which the line shortens to its host (bareURL).
var (
	preheaderImage = regexp.MustCompile(`\s?\[[^\]\n]*\] \((?:https?://|mailto:)[^\s)]+\)`)
	preheaderLink  = regexp.MustCompile(`\s?\((?:(?:https?://|mailto:)[^\s)]+|[^\s()@]+@[^\s()@]+)\)`)
	preheaderURL   = regexp.MustCompile(`(?:https?://|mailto:)[^\s)]+`)
)

// bareURL is a URL written out in prose as the inbox line shows it: a web
// address's host ("news.example"), a mailto's address, with the
// punctuation that closed the sentence after it kept.
func bareURL(u string) string {
	trimmed := strings.TrimRight(u, ".,;:!?")
	end := u[len(trimmed):]
	if addr, ok := strings.CutPrefix(trimmed, "mailto:"); ok {
		return addr + end
	}
	p, err := url.Parse(trimmed)
	if err != nil || p.Host == "" {
		return end
	}
	return p.Host + end
}

// preheader is personalPreheader for a text part holding no markers: a
// set drawn for it can be in no text.
func preheader(text string) string { return personalPreheader(text, mailer.NewMarkers()) }

// personalPreheader is the line the inbox shows beside the subject when
// the editor wrote none: the start of the text part as prose, its blocks
// one after the other, each ending as a sentence does (joinBlocks),
// without heading underlines, quote marks, list markers, images, the URLs
// after links' text and the lines that hold only a URL (a digest's
// stories), a URL written in a sentence shortened to its host, cut at a
// word within 120 characters. A greeting the text opens with
// ("Hello {{ .Name }},") is left out too: the inbox shows it is mail
// already, and the line is the reader's one glimpse of what the mail
// says (afterGreeting). A text that is only a greeting keeps it, as
// something beats nothing.
//
// The text part is prose already, its Markdown rendered (markdownText,
// the digest's text template): every other character stays as the
// reader wrote it, for the mail template to escape once into the HTML
// part. It keeps the text's markers of mk, each fallback whole: it goes
// in the HTML part, whose markers each reader's message fills in, so a
// reader greeted by name in the mail is greeted by name in the inbox too.
func personalPreheader(text string, mk mailer.Markers) string {
	blocks := preheaderBlocks(text, mk)
	if len(blocks) > 0 {
		if rest, ok := afterGreeting(blocks[0], mk); ok {
			after := blocks[1:]
			if rest != "" {
				after = append([]string{rest}, after...)
			}
			if p := preheaderOf(after, mk); readsText(p, mk) {
				return p
			}
		}
	}
	return preheaderOf(blocks, mk)
}

// preheaderOf is the preheader of blocks, those of a text part the
// preheader reads (preheaderBlocks), as it reads them.
func preheaderOf(blocks []string, mk mailer.Markers) string {
	return leadTrimmed(clipPersonal(joinBlocks(blocks, mk), 120, mk), mk)
}

// leadTrimmed is s without the spaces its first fallback's sides start
// with when s starts with that fallback, and with the spaces after it in
// its side that is not empty when the other is: a name left out with the
// space before it is put in a fallback with that space (bareNames), and a
// block holding only the name in a fallback of its own, either of which
// a preheader whose greeting was left out can start with.
func leadTrimmed(s string, mk mailer.Markers) string {
	ifName, elseName, endName := mk.Of(mailer.IfName), mk.Of(mailer.ElseName), mk.Of(mailer.EndName)
	rest, ok := strings.CutPrefix(s, ifName)
	if !ok {
		return s
	}
	inner, after, ok := strings.Cut(rest, endName)
	if !ok || strings.Contains(inner, ifName) {
		return ifName + strings.TrimLeft(rest, " ")
	}
	named, nameless, hasElse := strings.Cut(inner, elseName)
	named, nameless = strings.TrimLeft(named, " "), strings.TrimLeft(nameless, " ")
	if trimmed := strings.TrimLeft(after, " "); (named == "") != (nameless == "") && trimmed != after {
		space := after[:len(after)-len(trimmed)]
		if named != "" {
			named += space
		} else {
			nameless += space // there is a side for readers without a name
		}
		after = trimmed
	}
	if !hasElse {
		return ifName + named + endName + after
	}
	return ifName + named + elseName + nameless + endName + after
}

// readsText says readers with a name and readers without one both read
// some text in p, a preheader, besides their name and address.
func readsText(p string, mk mailer.Markers) bool {
	measure := markerFreeWidth(mk)
	for _, named := range []bool{true, false} {
		if measure(strings.Join(strings.Fields(mk.Choose(p, named)), "")) == 0 {
			return false
		}
	}
	return true
}

// preheaderLine is line, a line of a text part, as the preheader reads
// it, its quote marks taken off and trimmed, and says whether it reads it
// at all: not a blank line, a heading's underline or a rule, nor a line
// holding only a URL (a digest's story's). These rules are the
// preheader's and the text part's both: a text part whose run of blocks
// for named readers ends on a rule ends the run's fallback again on the
// next line the preheader reads (textWriter.strayEnd), so the two must
// agree on which lines those are. The greeting the preheader leaves out
// needs no rule of the writer's: such a stray end starts its line with a
// marker, and a line starting so opens with no greeting (greetingEnd).
func preheaderLine(line string, mk mailer.Markers) (string, bool) {
	line = strings.TrimSpace(unquote(line))
	if m := headingMarks.FindString(line); m != "" {
		line = line[len(m):] // a deeper heading's "### ": its title is what the inbox shows
	}
	switch {
	case strings.Trim(line, "=-") == "", strings.Contains(line, mk.Of(mailer.Rule)), strings.Contains(line, mk.Of(mailer.RuleDash)):
		return "", false // blank, an underline or a rule
	case preheaderURL.FindString(line) == line:
		return "", false // a line of its own for a link: a digest's story
	}
	return line, true
}

// headingMarks are the "#"s a heading of level 3 to 6 starts with in a
// text part (markdownText).
var headingMarks = regexp.MustCompile(`^#{3,6} +`)

// unquote takes off the "> " marks a quote's lines start with in a text
// part (markdownText), nested or not; a quote's blank line is ">".
func unquote(line string) string {
	for {
		switch {
		case strings.HasPrefix(line, "> "):
			line = line[2:]
		case line == ">":
			return ""
		default:
			return line
		}
	}
}

// greetingWords are the salutations a mail may open with, English first
// and then a few of the languages Bulletin's publishers write in most: a
// short list, as a word missing from it costs only the inbox line it
// costs today. Words that open other sentences as often ("Welcome", the
// German "Liebe", the Italian "Cara") are not in it.
const greetingWords = `hello|hi|hiya|hey|howdy|dear|greetings|good\s+(?:morning|afternoon|evening)|` +
	`bonjour|bonsoir|salut|hallo|guten\s+(?:morgen|tag|abend)|hola|buenos\s+días|buenas\s+(?:tardes|noches)|` +
	`ciao|buongiorno|hej|hei|olá|bom\s+dia`

// nameToken and barrier stand in greetingEnd's reading of a line for a
// name (its marker, or a fallback whose two sides are names) and for what
// a greeting cannot reach across (any other marker).
const (
	nameToken = "\x00"
	barrier   = "\x01"
)

// greetingWord is a word of who a greeting is to ("there", "readers",
// "Ada"), or the reader's name: a nameToken in greetingEnd's reading.
const greetingWord = `(?:` + nameToken + `|\p{L}[\p{L}\p{M}'’-]*)`

// greetingComma is the reader's name after a comma, as in "Good morning,
// Ada!": only the name, as the words after a comma ("Hi, this is big")
// are the mail's own.
const greetingComma = `(?:\s*,\s*` + nameToken + `)?`

// greeting matches a line opening with a salutation: the greeting, then
// up to three words of who it is to, then the comma, "!", ":" or dash
// that ends it, or else up to two such words and the end of the line (or
// a full stop there), and the spaces after it all.
var greeting = regexp.MustCompile(`^(?i:` + greetingWords + `)` +
	`(?:(?:\s+` + greetingWord + `){0,3}` + greetingComma + `\s*(?:[,!:]+|[—–]|-(?:\s|$))|` +
	`(?:\s+` + greetingWord + `){0,2}` + greetingComma + `\s*\.?$)\s*`)

// greetingEnd is where the greeting line opens with ends, after its
// punctuation and spaces, or 0 when it opens with none: line is one the
// preheader reads. The name markers of mk are read as names: the reader's
// name, and a fallback such as "Hello {{ .Name | default "friend" }}"
// with its two sides; an empty fallback, such as the marks the mailer
// wraps paragraphs by (mailer.Markers.LineMark), is read as nothing. The
// greeting never ends inside a fallback, so it is left out whole and
// leaves no marker without its pair; a fallback not ended on the line, or
// the end of one begun before it, ends what the greeting can be.
func greetingEnd(line string, mk mailer.Markers) int {
	var sh []byte // the line as the greeting is read in
	var at []int  // where each byte of sh stands in line
	put := func(s string, i int) {
		sh = append(sh, s...)
		for range len(s) {
			at = append(at, i)
		}
	}
	i := 0
scan:
	for i < len(line) {
		f, ok := textMarkerAt(line[i:], mk)
		switch {
		case !ok:
			_, n := utf8.DecodeRuneInString(line[i:])
			for j := range n {
				put(line[i+j:i+j+1], i+j)
			}
			i += n
		case f == mailer.Name:
			put(nameToken, i)
			i += len(mk.Of(f))
		case f == mailer.IfName:
			size, named, nameless, whole := lineFallback(line[i:], mk)
			switch {
			case !whole:
				break scan
			case named == "" && nameless == "":
				// empty: a mark for the mailer, nothing for either reader
			case greetingName(named, mk) && greetingName(nameless, mk):
				put(" "+nameToken, i)
				put(" ", i+size)
			default:
				break scan
			}
			i += size
		default:
			break scan
		}
	}
	if i < len(line) {
		put(barrier, i)
	}
	at = append(at, i)
	m := greeting.FindIndex(sh)
	if m == nil {
		return 0
	}
	return at[m[1]]
}

// lineFallback reads the fallback s starts with: its length, its sides
// for readers with a name and without one, and whether it ends on the
// line, holding no other fallback.
func lineFallback(s string, mk mailer.Markers) (size int, named, nameless string, whole bool) {
	ifName, elseName, endName := mk.Of(mailer.IfName), mk.Of(mailer.ElseName), mk.Of(mailer.EndName)
	inner, _, ok := strings.Cut(s[len(ifName):], endName)
	if !ok || strings.Contains(inner, ifName) {
		return 0, "", "", false
	}
	named, nameless, _ = strings.Cut(inner, elseName)
	return len(ifName) + len(inner) + len(endName), named, nameless, true
}

// nameSide matches one side of a fallback that is a name or stands for
// one, its name markers taken out: up to three words ("friend", "dear
// reader", "Zoë O'Hara"), after the comma a name left out goes with
// ("Good morning, {{ .Name }}!").
var nameSide = regexp.MustCompile(`^\s*,?\s*(?:\p{L}[\p{L}\p{M}'’.-]*\s*){0,3}$`)

// greetingName says side, a side of a fallback, is a name a greeting may
// hold.
func greetingName(side string, mk mailer.Markers) bool {
	return nameSide.MatchString(strings.ReplaceAll(side, mk.Of(mailer.Name), ""))
}

// afterGreeting is line, the first line the preheader reads, without the
// greeting it opens with, and says whether it opens with one: the rest of
// the line ("Hello Ada, this week…" reads "This week…"), with a capital,
// or nothing when the line is all greeting.
func afterGreeting(line string, mk mailer.Markers) (string, bool) {
	end := greetingEnd(line, mk)
	if end == 0 {
		return "", false
	}
	return capitalised(line[end:]), true
}

// capitalised is s with a capital first letter when it starts with a
// small one, as the sentence a greeting opened now opens the line: not
// when the second letter is a capital ("iPhone", "eBay").
func capitalised(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if !unicode.IsLower(r) {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
