package subscribers

import "strings"

// SlugKey is slug as lists are stored and looked up by: without the
// spaces around it, its ASCII letters in lower case. List.Validate admits
// lower-case slugs only, while people type a list's slug as they see its
// name ("Weekly" for weekly) in the files they import and seed: a slug
// so written names the list all the same. Only ASCII is folded, as a
// slug is ASCII: folding Unicode would make U+212A KELVIN SIGN a "k".
func SlugKey(slug string) string { return asciiLower(strings.TrimSpace(slug)) }
