package subscribers

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// conditions are f's search and filters (Q, Status, List) as SQL
// conditions on subscribers, to be joined with AND, and their arguments
// in order. List and Newest share them, so that the admin's count, its
// page and the API select the same readers.
func (f Filter) conditions() ([]string, []any) {
	var where []string
	args := []any{}
	if q := strings.TrimSpace(f.Q); q != "" {
		email, emailArgs := emailSearch(q)
		name, nameArgs := nameSearch(q)
		where = append(where, `(`+email+` OR `+name+`)`)
		args = append(append(args, emailArgs...), nameArgs...)
	}
	if f.Status != "" {
		where = append(where, `status = ?`)
		args = append(args, f.Status)
	}
	if f.List != "" {
		where = append(where, `id IN (SELECT s.subscriber_id FROM subscriptions s JOIN lists l ON l.id = s.list_id
			WHERE l.slug = ? AND s.status != 'unsubscribed')`)
		args = append(args, f.List)
	}
	return where, args
}

// foldedName is a name as the search compares it: the name_fold column
// migration 076's triggers keep (foldSQL of the name), or lower(name)
// for a name of printable ASCII without two spaces in a row, whose fold
// that is and which has none.
const foldedName = `coalesce(name_fold, lower(name))`

// foldSQL is the fold of the text x in SQL: in lower case, its Latin
// letters without accents, the Greek vowels without tonos or dialytika
// and Cyrillic "ё" as "е" (foldExtra), the letters of polytonic Greek
// as their base letters (polytonicFold), its words joined by one space
// ("Zoë  O'Neil" is "zoe o'neil", "ΑΛΕΞΆΝΔΡΑ" is "αλεξανδρα" and
// "Ἀλέξανδρος" "αλεξανδροσ"). SQLite's unicode61 tokenizer does the most
// of it (name_fold_tokens, migration 076), in C, for every alphabet, a
// final "ς" made "σ" included; ASCII's punctuation is part of its words,
// so that a "*" or an "O'Neil" searched is found as typed. The replace
// calls fold the letters it keeps.
//
// The 121 replace calls of the polytonic letters would make the fold of
// every name not of ASCII about five times as slow, for the few names
// in polytonic Greek: they are made only when the tokenizer's input (the
// same on each of its rows) holds a character of the Greek Extended
// block (U+1F00 to U+1FFF), which one GLOB tells. The tokenizer reads
// the marks of polytonic Greek stored decomposed (polytonicMarks) as
// spaces between words, so they are taken out of x first. The search
// folds its needle with it; the triggers that keep name_fold (migration
// 088) fold the names in steps an older SQLite can parse, and a test
// checks that they keep the same fold.
func foldSQL(x string) string {
	words := `group_concat(token, ' ' ORDER BY position)`
	polytonic := strings.Repeat(`replace(`, len(polytonicFold)/2) + words + replaceArgs(polytonicFold)
	return `(SELECT ` + strings.Repeat(`replace(`, len(foldExtra)/2) + `CASE WHEN input GLOB '*[ἀ-῾]*' THEN ` + polytonic + ` ELSE ` + words + ` END` +
		replaceArgs(foldExtra) + ` FROM name_fold_tokens WHERE input = ` + foldInput(x) + `)`
}

// foldInput is x without polytonicMarks, which the tokenizer would read
// as spaces between words.
func foldInput(x string) string {
	for _, m := range polytonicMarks {
		x = fmt.Sprintf(`replace(%s, char(0x%x), '')`, x, m)
	}
	return x
}

// foldExtra are the letters the tokenizer keeps that are read as their
// base letter (or two) when typed on a keyboard without them, each
// followed by what it is folded to. The tokenizer has put them in lower
// case, and takes the accents off Latin letters only. A Greek vowel's
// tonos or dialytika is typed with a dead key, often skipped, and names
// in capitals leave it out; Russian writes "е" for "ё" in all but
// dictionaries and primers: both are folded to the plain vowel. "й" and
// the Ukrainian "ї" are letters of their own, each with its own key, and
// are kept. The folds are stored (name_fold): a letter added here needs
// a migration that refolds the names holding it, as 082 does.
var foldExtra = []string{"ø", "o", "ł", "l", "đ", "d", "ð", "d", "ħ", "h", "ı", "i", "ŧ", "t", "ß", "ss", "æ", "ae", "œ", "oe", "þ", "th",
	"ά", "α", "έ", "ε", "ή", "η", "ί", "ι", "ό", "ο", "ύ", "υ", "ώ", "ω", "ϊ", "ι", "ϋ", "υ", "ΐ", "ι", "ΰ", "υ", "ё", "е"}

// polytonicFold are the lower-case letters of polytonic Greek (the Greek
// Extended block: "ἀ", "ὰ", "ᾶ", "ᾳ", "ῥ", "ᾰ"), each followed by its base
// letter, as foldExtra's: the first letter of its canonical
// decomposition. A name typed in monotonic Greek, on today's keyboards,
// has no breathing, no accent but the tonos and no length mark, and no
// iota subscript, which is not pronounced: "Ἀλέξανδρος" is found by
// "Αλεξανδρος", "Σωκρᾰτης" by "Σωκρατης" and "ᾨδή" by "ωδη". The
// tokenizer has put the capitals ("Ἀ", "ᾼ") in lower case first. A
// letter with oxia ("ά", U+1F71) is the one with tonos (U+03AC), which
// NFC makes it but a name stored before NormalizeName may hold. The
// folds are stored: migration 086 refolds the names holding them.
var polytonicFold = func() []string {
	var pairs []string
	for r := rune(0x1f00); r <= 0x1fff; r++ {
		if d := []rune(norm.NFD.String(string(r))); unicode.IsLower(r) && len(d) > 1 {
			pairs = append(pairs, string(r), string(d[0]))
		}
	}
	return pairs
}()

// polytonicMarks are the combining marks of polytonic Greek that the
// tokenizer does not take off a letter stored decomposed, but reads as
// spaces: the breathings (psili, dasia), the perispomeni and the iota
// subscript (ypogegrammeni). It takes the others (the tonos or oxia,
// the varia, the dialytika, the macron and the vrachy) off as it does
// the accents of Latin letters.
var polytonicMarks = []rune{0x313, 0x314, 0x342, 0x345}

// replaceArgs closes the replace calls of a fold, one a pair of letters
// and what each is folded to.
func replaceArgs(pairs []string) string {
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		b.WriteString(`, '` + pairs[i] + `', '` + pairs[i+1] + `')`)
	}
	return b.String()
}

// nameSearch is the condition on the name of a search for q, and its
// arguments. A name is found with its accents or without, whichever way
// either is typed: "Zoe" and "zoë" both find "Zoë" and "Zoe", and in any
// case of any alphabet, as the needle and the name are compared folded
// (foldSQL): one instr a row, with the needle folded once, and no Go
// function called per row. A needle of no letter or digit (a "–") may
// fold to nothing: it is looked for as typed, in any case of its ASCII.
//
// Names are stored composed (NormalizeName); those stored before may be
// decomposed, which the fold strips of their accents. That is also the
// fold of a composed Latin letter, Greek vowel or "ё", but not of a
// composed "й" or "ї", which it keeps: for a needle with such a letter,
// a GLOB of the needle decomposed, whose classes hold each letter's case
// forms, finds those names as the search did before the fold, with the
// accents as typed.
func nameSearch(q string) (string, []any) {
	q = norm.NFC.String(q)
	if !strings.ContainsFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return `instr(lower(name), ?) > 0`, []any{strings.ToLower(q)}
	}
	cond, args := `instr(`+foldedName+`, `+foldSQL("?")+`) > 0`, []any{q}
	if d := norm.NFD.String(q); d != q && strings.ContainsFunc(q, foldKeepsAccent) && utf8.RuneCountInString(d) <= MaxNameLen {
		cond += ` OR name GLOB ?`
		args = append(args, "*"+foldGlob(d)+"*")
	}
	return cond, args
}

// foldKeepsAccent reports whether r is a letter with an accent that the
// fold keeps when composed: one that decomposes, out of the Latin blocks,
// and not one of foldExtra's or polytonicFold's ("ά", "Ё", "Ἀ"), which
// the fold takes to its base letter whichever way it is stored.
func foldKeepsAccent(r rune) bool {
	latin := r < 0x250 || r >= 0x1e00 && r <= 0x1eff
	return !latin && norm.NFD.String(string(r)) != string(r) && !foldExtraKeys[unicode.ToLower(r)]
}

// foldExtraKeys are the letters foldExtra and polytonicFold fold.
var foldExtraKeys = func() map[rune]bool {
	keys := map[rune]bool{}
	for _, pairs := range [][]string{foldExtra, polytonicFold} {
		for i := 0; i < len(pairs); i += 2 {
			r, _ := utf8.DecodeRuneInString(pairs[i])
			keys[r] = true
		}
	}
	return keys
}()
