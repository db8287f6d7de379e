package campaigns

import (
	"strings"
	"time"
	"unicode"
)

// digestPreheaderRunes is the longest a digest's preheader runs, as the
// line derived from a campaign's text part (preheaderOf): inboxes show
// about that much, and an editor's own may have maxPreheader.
const digestPreheaderRunes = 120

// digestPreheader is the line the inbox shows beside a digest's subject
// (digestSubject), items newest first as rendered (renderDigest). The
// subject names the count, the list and the top story already, so the
// line goes on from there: the headlines after the top one, each read as
// a sentence ("Also: Christmas market dates set. Is the ferry late
// again?"). A digest of one story gives its summary instead, and one with
// no summary says what the mail is. No date is in it: read from the text
// part, the line repeated the subject and ended in the dates of the intro
// and a byline, cut off ("… 5…").
func digestPreheader(publisher, listName string, items []digestArticle) string {
	var heads []string
	for _, a := range items[1:] {
		// A story without a title shows its URL as one: no headline.
		if t := oneLineText(a.Title); t != "" && t != a.URL {
			heads = append(heads, t)
		}
	}
	if len(heads) > 0 {
		return clipLine("Also: "+sentences(heads), digestPreheaderRunes)
	}
	if s := clipLine(items[0].Summary, digestPreheaderRunes); s != "" {
		return s
	}
	return clipLine(storyCount(len(items))+" in "+listName+" from "+publisher+".", digestPreheaderRunes)
}

// sentences joins headlines as sentences: one that ends without
// punctuation gets a full stop (needsStop), so that each reads apart from
// the next, as the blocks of a campaign's preheader do (joinBlocks).
func sentences(heads []string) string {
	var b strings.Builder
	for i, h := range heads {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h)
		if needsStop(h) {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// clipLine is clip for a line read at a glance: when cut, it does not end
// on a number or a date whose rest was cut ("rise by 12…", "from 1
// January…"), which reads as noise; the words before them end it.
func clipLine(s string, n int) string {
	s = clip(s, n)
	cut, ok := strings.CutSuffix(s, "…")
	if !ok {
		return s
	}
	words := strings.Fields(cut)
	keep, number := len(words), false
	for keep > 0 && (numberWord(words[keep-1]) || monthWord(words[keep-1])) {
		number = number || numberWord(words[keep-1])
		keep--
	}
	if !number || keep == 0 {
		return s
	}
	return strings.TrimRight(strings.Join(words[:keep], " "), " ,;:.-—") + "…"
}

// numberWord says w is a number as prose writes one: digits with the
// signs, separators and ordinal endings around them ("12", "£1,200",
// "5%", "3rd"), no other letter.
func numberWord(w string) bool {
	w = strings.TrimRight(strings.ToLower(w), ".,;:!?)]\"'’”")
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if t, ok := strings.CutSuffix(w, suffix); ok && t != "" && unicode.IsDigit(rune(t[len(t)-1])) {
			w = t
			break
		}
	}
	return strings.ContainsFunc(w, unicode.IsDigit) && !strings.ContainsFunc(w, unicode.IsLetter)
}

// monthWord says w is the name of a month, which ends a date cut after
// it ("1 January…") as its number does.
func monthWord(w string) bool {
	w = strings.TrimRight(w, ".,;:")
	for m := time.January; m <= time.December; m++ {
		name := m.String()
		if strings.EqualFold(w, name) || len(w) >= 3 && strings.EqualFold(w, name[:3]) {
			return true
		}
	}
	return false
}
