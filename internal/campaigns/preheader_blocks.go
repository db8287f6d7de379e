package campaigns

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/mailer"
)

// preheaderBlocks are the blocks of text, a text part, that the preheader
// reads: its paragraphs, headings and list items, each one line of its
// lines joined by spaces, without quote marks, list markers and task
// boxes. A line the preheader does not read (preheaderLine: a blank line,
// a heading's underline, a rule, a line of a URL alone) ends a block, and
// a line starting with a list marker starts one when it starts a block
// already or follows an item. A line continuing a paragraph is not an
// item whatever it starts with: a wrapped line may start with "-", and in
// a text part a list after a paragraph comes after a blank line.
func preheaderBlocks(text string, mk mailer.Markers) []string {
	item := listMarker(mk)
	var blocks, cur []string
	inItem := false
	end := func() {
		if len(cur) > 0 {
			blocks = append(blocks, strings.Join(cur, " "))
		}
		cur, inItem = nil, false
	}
	for _, line := range strings.Split(text, "\n") {
		l, ok := preheaderLine(line, mk)
		if !ok {
			end()
			continue
		}
		if m := item.FindString(l); m != "" && (len(cur) == 0 || inItem) {
			end()
			l, inItem = l[len(m):], true
		}
		cur = append(cur, l)
	}
	end()
	return blocks
}

// listMarker matches the marker a list item's first line starts with in
// a text part, with the task box after it: "- " (markdownText writes
// every bullet so, and "*", "+" or "•" as a text written by hand may), a
// number and "." or ")", or the pair of numbers an ordered item has when
// items before it are left out for readers without a name
// (textWriter.list).
func listMarker(mk mailer.Markers) *regexp.Regexp {
	q := regexp.QuoteMeta
	return regexp.MustCompile(`^(?:` + q(mk.Of(mailer.IfName)) + `\d{1,9}\. ` + q(mk.Of(mailer.ElseName)) + `\d{1,9}\. ` +
		q(mk.Of(mailer.EndName)) + `|[-*+•] +|\d{1,9}[.)] +)(?:\[[ xX]\] +)?`)
}

// preheaderText is block, one of preheaderBlocks, as the inbox line reads
// it: without its images and the URLs after links' text, and with a URL
// written in its prose shortened to its host (bareURL).
func preheaderText(block string) string {
	s := preheaderImage.ReplaceAllString(block, "")
	s = preheaderLink.ReplaceAllString(s, "")
	return strings.TrimSpace(preheaderURL.ReplaceAllStringFunc(s, bareURL))
}

// joinBlocks makes the inbox line of blocks, each read by preheaderText:
// one after the other, a block that ends without punctuation (a heading,
// a list item, a byline) and has another after it ended with a full
// stop, so that each reads as a sentence rather than running into the
// next ("The bridge reopens. After eleven months…", not "The bridge
// reopens After eleven months…"). A full stop reads well after a heading
// and an item alike, and leaves the line its dashes for what the editor
// wrote: " — " between blocks would chain a list into one clause and
// double a heading's own dash.
func joinBlocks(blocks []string, mk mailer.Markers) string {
	var b strings.Builder
	r := blockReader{mk: mk, in: mailer.EndName}
	prev, at, stop := "", 0, "" // the block before, and its stop, written when another follows
	for _, block := range blocks {
		s := preheaderText(block)
		if s == "" {
			continue
		}
		if prev != "" {
			b.WriteString(prev[:at] + stop + prev[at:] + " ")
		}
		prev = s
		at, stop = r.stop(s)
	}
	b.WriteString(prev)
	return b.String()
}

// A blockReader reads the blocks of a preheader in turn as readers with a
// name and without one read them, the fallback markers deciding which of
// the two reads a character, to tell whether each ends a sentence.
type blockReader struct {
	mk mailer.Markers
	in mailer.Field // IfName or ElseName inside a fallback's side, else EndName
}

// stop is what ends block s for its readers, and where in s it goes: at
// the end, or before the fallback markers after its last word, such as
// those that start a run of blocks readers without a name do not read
// (textWriter.startRun). Readers with a name and without one may read the
// block's end differently (the name is left out for the latter, or the
// block is not theirs at all): each gets the stop their text needs, in a
// place where only they read it, or else in a fallback of its own.
func (r *blockReader) stop(s string) (int, string) {
	var read [2]strings.Builder // what readers with a name [0] and without one [1] read of s
	last, lastIn := 0, r.in     // the end of the last word, and the side it is in
	for i := 0; i < len(s); {
		word := true // s[i] starts a character, or a value, that readers read
		n := 0
		if f, ok := textMarkerAt(s[i:], r.mk); ok {
			n = len(r.mk.Of(f))
			switch f {
			case mailer.IfName, mailer.ElseName, mailer.EndName:
				r.in, word = f, false
			default: // a value: a name or an address, which ends no sentence
				r.put(&read, "x")
			}
		} else {
			var c rune
			c, n = utf8.DecodeRuneInString(s[i:])
			r.put(&read, s[i:i+n])
			word = !unicode.IsSpace(c)
		}
		i += n
		if word {
			last, lastIn = i, r.in
		}
	}
	named, nameless := needsStop(read[0].String()), needsStop(read[1].String())
	if stop, ok := plainStop(r.in, named, nameless); ok {
		return len(s), stop
	}
	if stop, ok := plainStop(lastIn, named, nameless); ok {
		return last, stop
	}
	var b strings.Builder
	switch r.in {
	case mailer.IfName: // a side for readers with a name goes on after s
		if named {
			b.WriteString(".")
		}
		b.WriteString(r.mk.Of(mailer.ElseName) + "." + r.mk.Of(mailer.EndName) + r.mk.Of(mailer.IfName))
	case mailer.ElseName:
		b.WriteString(r.mk.Of(mailer.EndName) + r.mk.Of(mailer.IfName) + "." + r.mk.Of(mailer.ElseName))
		if nameless {
			b.WriteString(".")
		}
	default:
		b.WriteString(r.mk.Of(mailer.IfName))
		if named {
			b.WriteString(".")
		}
		b.WriteString(r.mk.Of(mailer.ElseName))
		if nameless {
			b.WriteString(".")
		}
		b.WriteString(r.mk.Of(mailer.EndName))
	}
	return len(s), b.String()
}

// plainStop is the stop of a block that readers with a name (named) and
// without one (nameless) need, put where the side in is read, when a
// full stop there, or none, gives each reader what they need.
func plainStop(in mailer.Field, named, nameless bool) (string, bool) {
	switch {
	case !named && !nameless:
		return "", true
	case in == mailer.EndName && named && nameless, in == mailer.IfName && !nameless, in == mailer.ElseName && !named:
		return ".", true
	}
	return "", false
}

// put adds s to what the readers who read the current side read.
func (r *blockReader) put(read *[2]strings.Builder, s string) {
	if r.in != mailer.ElseName {
		read[0].WriteString(s)
	}
	if r.in != mailer.IfName {
		read[1].WriteString(s)
	}
}

// needsStop says s, what a reader reads of a block, has words and does not
// end with punctuation that closes a sentence or a clause, quotes and
// brackets after it aside.
func needsStop(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`"'”’»)]`, r)
	})
	last, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && !strings.ContainsRune(".!?…:;,—–。！？", last)
}
