package mailer

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
)

// AddressForPeople is addr with its domain as people write it: a label
// stored in its IDNA form (xn--exmple-cua) shown in Unicode (exämple), as
// a browser's email field shows it, so a page does not name one reader
// in two forms. A label that does not decode to itself, or whose letters
// mix scripts (a look-alike of another name), is shown as stored, as the
// browser does too.
func AddressForPeople(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || !strings.Contains(strings.ToLower(addr[at:]), "xn--") {
		return addr
	}
	labels := strings.Split(addr[at+1:], ".")
	for i, l := range labels {
		if !strings.HasPrefix(strings.ToLower(l), "xn--") {
			continue
		}
		u, err := idna.Display.ToUnicode(l)
		if err != nil || mixesScripts(u) {
			continue
		}
		if back, err := idna.Lookup.ToASCII(u); err != nil || back != strings.ToLower(l) {
			continue
		}
		labels[i] = u
	}
	return addr[:at+1] + strings.Join(labels, ".")
}

// cjkScripts are the scripts one name may mix with Latin and each other,
// as Japanese, Chinese and Korean are written; any other pair of scripts
// in one label is refused, as browsers do, so that "pаypal" with a
// Cyrillic а shows as xn--pypal-4ve.
var cjkScripts = []*unicode.RangeTable{unicode.Latin, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo}

// mixesScripts is true when label's letters are of two scripts or more,
// other than Latin and the CJK scripts together.
func mixesScripts(label string) bool {
	var first *unicode.RangeTable
	cjk := true
	for _, r := range label {
		if unicode.In(r, unicode.Common, unicode.Inherited) {
			continue
		}
		script := scriptOf(r)
		if first == nil {
			first = script
		}
		if !slices.Contains(cjkScripts, script) {
			cjk = false
		}
		if script != first && !cjk {
			return true
		}
	}
	return false
}

// scriptOf is the Unicode script of r, nil when it has none.
func scriptOf(r rune) *unicode.RangeTable {
	for _, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	return nil
}
