package mailer

import (
	"strings"
	"unicode/utf8"
)

// WrapProse wraps s, a sentence or a paragraph of a text part, at width
// columns between its words, as prose: each line takes every word that
// fits after the words before it. Each of whole that s holds, such as a
// publication's or a list's name, is not broken at its spaces: it moves
// to the next line whole rather than leave a word behind, but is never
// put on a line of its own when it fits after the preceding words, as a
// template's line breaks around a name did. A name longer than a line,
// with what is written against it, is broken at its spaces as other
// words are; a word longer than a line keeps a line of its own. Runs of
// white space in s read as one space.
func WrapProse(s string, width int, whole ...string) string {
	s = strings.Join(strings.Fields(s), " ")
	glued := make([]bool, len(s)) // a space inside one of whole
	for _, w := range whole {
		w = strings.Join(strings.Fields(w), " ")
		if !strings.Contains(w, " ") {
			continue
		}
		for i := 0; ; {
			j := strings.Index(s[i:], w)
			if j < 0 {
				break
			}
			for k := i + j; k < i+j+len(w); k++ {
				glued[k] = glued[k] || s[k] == ' '
			}
			i += j + 1
		}
	}
	var b strings.Builder
	col := 0
	for _, u := range proseUnits(s, glued, width) {
		n := utf8.RuneCountInString(u)
		switch {
		case col == 0:
		case col+1+n > width:
			b.WriteByte('\n')
			col = 0
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(u)
		col += n
	}
	return b.String()
}

// proseUnits cuts s at its spaces that are not glued: its words, and the
// names kept whole with the words written against them. A unit wider
// than width is cut into its words again.
func proseUnits(s string, glued []bool, width int) []string {
	var units []string
	add := func(u string) {
		if u == "" {
			return
		}
		if strings.Contains(u, " ") && utf8.RuneCountInString(u) > width {
			units = append(units, strings.Split(u, " ")...)
			return
		}
		units = append(units, u)
	}
	start := 0
	for i := range len(s) {
		if s[i] == ' ' && !glued[i] {
			add(s[start:i])
			start = i + 1
		}
	}
	add(s[start:])
	return units
}
