package subscribers

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SlugKey is slug as lists are stored and looked up by: without the
// spaces around it, its ASCII letters in lower case. List.Validate admits
// lower-case slugs only, while people type a list's slug as they see its
// name ("Weekly" for weekly) in the files they import and seed: a slug
// so written names the list all the same. Only ASCII is folded, as a
// slug is ASCII: folding Unicode would make U+212A KELVIN SIGN a "k".
func SlugKey(slug string) string { return asciiLower(strings.TrimSpace(slug)) }

// slugSpellings are letters that lose no accent in Unicode's decomposition
// but have a usual spelling in ASCII.
var slugSpellings = strings.NewReplacer("ß", "ss", "æ", "ae", "œ", "oe", "ø", "o", "ł", "l", "đ", "d", "þ", "th", "&", " and ")

// SlugFor is a slug made from a list's name, for a form whose slug is left
// empty: "The Harbour Weekly" is the-harbour-weekly, "Événements" is
// evenements. Letters lose their accents; every run of anything else but
// ASCII letters and digits becomes one hyphen, and the slug is cut at a
// hyphen to 64 bytes. It is "" when the name has nothing a slug can keep
// (a name in Greek or Chinese), which the form then asks for, saying why
// (NoSlugFrom).
func SlugFor(name string) string {
	decomposed := norm.NFD.String(strings.ToLower(name))
	var b strings.Builder
	hyphen := false
	for _, r := range slugSpellings.Replace(decomposed) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// an accent, decomposed off its letter
		default:
			hyphen = true
		}
	}
	slug := b.String()
	for len(slug) > 64 {
		cut := strings.LastIndexByte(slug[:64], '-')
		if cut <= 0 {
			slug = slug[:64]
			break
		}
		slug = slug[:cut]
	}
	return slug
}

// MakeSlug makes p's slug from its name (SlugFor) when p leaves the slug
// out or empty, as a new list's is, and reports whether it did: the
// faults of a made slug are worded for a slug nobody typed (NoSlugFrom,
// SlugTaken), by the caller that knows how it was left out. The made slug
// may be "", which the list's validation then refuses.
func (p *ListPatch) MakeSlug() bool {
	if p.Slug != nil && strings.TrimSpace(*p.Slug) != "" {
		return false
	}
	var name string
	if p.Name != nil {
		name = *p.Name
	}
	slug := SlugFor(name)
	p.Slug = &slug
	return true
}

// NoSlugFrom is the error of a slug left empty for SlugFor to make from
// name, which made none: "use 1–64 lower-case letters…" alone would not
// say why, to someone told to leave the field empty. It is "" when the
// name is empty: its own error is then the one to fix, and the slug is
// made once it is.
func NoSlugFrom(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	return "Bulletin makes the slug from the name's Latin letters and digits, and “" + truncate(name, 40) +
		"” has none: type a slug, such as the-weekly"
}
