package campaigns

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bulletinhq/bulletin/internal/prose"
)

// The shape a body must keep for Markdown to parse it in time. goldmark's
// time and memory grow with the square of some shapes, not with their
// size: quotes nested 8,000 deep ("> " 8,000 times, 16 KB) took 8 s and
// 257 MB to save, 100,000 deep (200 KB, under the body's 512 KiB) used
// 18 GB of memory and had not answered after 10 minutes, and every view
// of such a campaign parsed it again; a 120 KB paragraph of "[a](" did
// not parse in 15 s. So a body is looked at line by line, in one pass,
// before anything parses it, and refused with the lines to change:
//
//   - maxNesting: quotes and list items open at once on a line, counted
//     by their markers (">", "-", "*", "+", "1." or "1)") and by the
//     indentation that nests a list in the one above (two spaces a
//     level). A newsletter quotes or nests lists a few levels deep.
//   - maxBlock: the bytes of a block, a run of lines with no blank line
//     between them, which Markdown parses as one: a paragraph, a list, a
//     quote. A newsletter's paragraphs are a few thousand characters.
//   - maxMarks: how many of one of the characters that open a link, a
//     tag, an emphasis or a code span ("[", "<", "*", "_", "~", "`") a
//     block may hold: goldmark looks ahead from each one left unclosed,
//     to the block's end. 16 KB blocks of "[a](", within maxBlock, took
//     1.2 s each to check.
//
// Code fenced in ``` or ~~~ is text that nothing parses further, and
// counts toward neither.
const (
	maxNesting = 16
	maxBlock   = 16 << 10
	maxMarks   = 500
)

// marks are the characters maxMarks counts.
const marks = "[<*_~`"

// shapeFaults is a fault for each line of body nested deeper than
// maxNesting and each block longer than maxBlock, the first maxFaults of
// each kind named; nil for a body Markdown parses in time. It parses
// nothing, and takes time in proportion to the body's length.
func shapeFaults(body string) []error {
	var deep, long []string
	line, blockStart, blockLen := 0, 0, 0
	var count [len(marks)]int // of each of marks in the block
	var fence string          // the fence a fenced block opened with, "" outside one
	endBlock := func() {
		switch worst := mostMarks(count); {
		case blockLen > maxBlock:
			long = append(long, fmt.Sprintf("line %d: a block of %s with no blank line in it, which takes Markdown too long to read: put blank lines between its paragraphs, each at most %s",
				blockStart, prose.Count(blockLen, "character", "characters"), prose.Count(maxBlock, "character", "characters")))
		case count[worst] > maxMarks:
			long = append(long, fmt.Sprintf("line %d: a block with %s %q and no blank line in it, which takes Markdown too long to read: put blank lines between its paragraphs, with at most %d in each",
				blockStart, prose.Number(count[worst]), marks[worst:worst+1], maxMarks))
		}
		blockLen, count = 0, [len(marks)]int{}
	}
	for rest := body; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		line++
		l = strings.TrimSuffix(l, "\r")
		trimmed := strings.TrimLeft(l, " ")
		if fence != "" {
			if len(l)-len(trimmed) < 4 && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" \t") == "" {
				fence = ""
			}
			continue
		}
		if len(l)-len(trimmed) < 4 {
			if f := fenceOf(trimmed); f != "" {
				endBlock()
				fence = f
				continue
			}
		}
		if strings.TrimSpace(l) == "" {
			endBlock()
			continue
		}
		if blockLen == 0 {
			blockStart = line
		}
		blockLen += len(l) + 1
		for i := range len(marks) {
			count[i] += strings.Count(l, marks[i:i+1])
		}
		if d := nesting(l); d > maxNesting {
			deep = append(deep, fmt.Sprintf("line %d: quotes and lists nested %s deep: nest them at most %d deep", line, prose.Number(d), maxNesting))
		}
	}
	endBlock()
	var faults []error
	for _, kind := range [][]string{deep, long} {
		faults = append(faults, namedFaults(len(kind), func(i int) error { return errors.New(kind[i]) }, func(more int) error {
			return errors.New("and " + prose.Count(more, "more line", "more lines") + " like it")
		})...)
	}
	return faults
}

// mostMarks is the index in marks of the one count holds most of.
func mostMarks(count [len(marks)]int) int {
	worst := 0
	for i, n := range count {
		if n > count[worst] {
			worst = i
		}
	}
	return worst
}

// errShape is the error of a body shapeFaults refuses, for the paths that
// render a body stored before the check (or one not checked, an
// article's): they render nothing of it rather than take minutes.
func errShape(faults []error) error {
	return fmt.Errorf("the body is too deeply nested or has too long a block to render: %w", errors.Join(faults...))
}

// fenceOf is the fence ("```" or "~~~", as long as written) that line,
// its indentation taken off, opens a fenced code block with, or "".
func fenceOf(line string) string {
	if len(line) < 3 || (line[0] != '`' && line[0] != '~') {
		return ""
	}
	n := len(line) - len(strings.TrimLeft(line, line[:1]))
	if n < 3 || (line[0] == '`' && strings.Contains(line[n:], "`")) {
		return ""
	}
	return line[:n]
}

// nesting is how many quotes and list items line opens or stays in: its
// container markers, and a level for each two columns of indentation
// beyond the space after a marker, which nest a list in the one of the
// line above. A line without a marker opens nothing (it continues what
// is open, or is a paragraph or code), nor does a thematic break
// ("- - -", "* * *").
func nesting(line string) int {
	if thematicBreak(line) {
		return 0
	}
	markers, cols := 0, 0
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ':
			cols++
			i++
		case c == '\t':
			cols += 4 - cols%4
			i++
		case c == '>':
			markers++
			i++
			i += spaceAfter(line, i)
		case (c == '-' || c == '*' || c == '+') && spaceAfter(line, i+1) == 1:
			markers++
			i += 2
		case '0' <= c && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && '0' <= line[j] && line[j] <= '9' {
				j++
			}
			if j < len(line) && (line[j] == '.' || line[j] == ')') && spaceAfter(line, j+1) == 1 {
				markers++
				i = j + 2
				continue
			}
			return nestingOf(markers, cols)
		default:
			return nestingOf(markers, cols)
		}
	}
	return nestingOf(markers, cols)
}

func nestingOf(markers, cols int) int {
	if markers == 0 {
		return 0
	}
	return markers + cols/2
}

// spaceAfter is 1 when line has a space or a tab at i, else 0.
func spaceAfter(line string, i int) int {
	if i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		return 1
	}
	return 0
}

// thematicBreak reports whether line is a thematic break: three or more
// of one of "-", "*" or "_", with only spaces and tabs between them.
func thematicBreak(line string) bool {
	var mark byte
	n := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case ' ', '\t':
		case '-', '*', '_':
			if mark != 0 && c != mark {
				return false
			}
			mark = c
			n++
		default:
			return false
		}
	}
	return n >= 3
}
