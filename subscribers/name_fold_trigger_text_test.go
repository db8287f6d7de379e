package subscribers

import (
	"slices"
	"strings"
)

// foldStep bounds the replace calls nested in one statement of the
// triggers that keep name_fold (migration 088). SQLite before 3.46
// (the sqlite3 shell of Debian 12 is 3.40) parses with a stack of fixed
// depth, and takes a whole schema holding a statement nested deeper
// than it can parse for a malformed one: the triggers of migration 086,
// 145 replace calls deep, made the database unreadable to it ("malformed
// database schema (subscribers_name_fold_insert) - parser stack
// overflow"). In a trigger it parses 28 replace calls, not 29, and 17,
// not 18, around the words' subquery in the update trigger's CASE. The
// search's own fold (foldSQL) is parsed only by the SQLite built into
// Bulletin, which grows its stack, and is not stored. These functions
// are the text of migration 088, which a test checks; the binary runs
// the migration's text, not them.
const foldStep = 20

// foldTriggerWords is the fold the first statement of a trigger keeping
// name_fold sets for the name x: the tokenizer's words of x (as foldSQL
// reads them, marks out), or NULL, with the Latin letters of foldExtra
// folded (11 replace calls, within the update trigger's 17). Most names
// not of ASCII are in a Latin script: theirs is whole after this one
// statement. The other letters are folded by foldTriggerSteps, only in
// the names that hold one. foldExtra's letters and polytonicFold's fold
// to letters of neither list, so the order they are folded in is
// foldSQL's fold all the same.
func foldTriggerWords(x string) string {
	latin, _ := foldExtraByScript()
	return strings.Repeat("replace(", len(latin)/2) + foldWordsSQL(x) + replaceArgs(latin)
}

// foldTriggerSteps are the statements after the first (foldTriggerWords)
// of a trigger keeping the fold of NEW.name in name_fold: foldExtra's
// Greek and Cyrillic letters, then the letters of polytonic Greek, each
// only for a name that holds one of its letters (a condition on
// NEW.name, which SQLite tests once, before it looks up the row): for
// foldExtra's, those letters and their capitals, which the tokenizer
// lowers; for polytonic Greek, its block. At most foldStep letters a
// statement.
func foldTriggerSteps() string {
	var b strings.Builder
	step := func(pairs []string, cond string) {
		n := len(pairs) / 2
		stmts := (n + foldStep - 1) / foldStep
		per := (n + stmts - 1) / stmts // the fewest statements, each of at most foldStep, none much shorter but the last
		for chunk := range slices.Chunk(pairs, 2*per) {
			b.WriteString("\tUPDATE subscribers SET name_fold = " + strings.Repeat("replace(", len(chunk)/2) + "name_fold" + replaceArgs(chunk) +
				"\n\t\tWHERE id = NEW.id AND " + cond + ";\n")
		}
	}
	_, other := foldExtraByScript()
	step(other, "NEW.name GLOB '*["+foldClass(other)+"]*'")
	step(polytonicFold, "NEW.name GLOB '*[ἀ-῾]*'")
	return b.String()
}

// foldExtraByScript splits foldExtra's pairs into those of Latin letters
// (below U+0370) and the others, each in foldExtra's order.
func foldExtraByScript() (latin, other []string) {
	for i := 0; i < len(foldExtra); i += 2 {
		if []rune(foldExtra[i])[0] < 0x370 {
			latin = append(latin, foldExtra[i], foldExtra[i+1])
		} else {
			other = append(other, foldExtra[i], foldExtra[i+1])
		}
	}
	return latin, other
}

// foldWordsSQL is the tokenizer's words of the text x, joined by one
// space, as foldSQL reads them: the marks of polytonic Greek taken out
// first. The words are put in order by a subquery, as an SQLite before
// 3.44 reads no ORDER BY in group_concat's parentheses; one whose outer
// query is an aggregate is not flattened into it, so its order holds.
func foldWordsSQL(x string) string {
	return `(SELECT group_concat(token, ' ') FROM (SELECT token FROM name_fold_tokens WHERE input = ` + foldInput(x) + ` ORDER BY position))`
}

// foldClass is the letters of pairs (a letter, then what it is folded
// to), each with its capital, for a GLOB's [...] class.
func foldClass(pairs []string) string {
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		b.WriteString(pairs[i])
		if up := strings.ToUpper(pairs[i]); up != pairs[i] {
			b.WriteString(up)
		}
	}
	return b.String()
}
