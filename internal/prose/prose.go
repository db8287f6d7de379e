// Package prose words lists and counts as the sentences of Bulletin's
// pages, mails, errors and commands say them, so that each says them
// alike: "a, b and c", "1 reader", "3 readers".
package prose

import (
	"strconv"
	"strings"
)

// And lists items as a sentence does: "", "a", "a and b", "a, b and c".
// No comma stands before the "and". Quoting each item, where a sentence
// needs it, is the caller's.
func And(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Count is n with its noun, one for 1 and many for any other number:
// "1 reader", "0 readers", "3 readers". Both forms are given, as the
// callers hold them, and as some plurals take no s ("1 person", "3
// people").
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
