// Package prose words lists and counts as the sentences of Bulletin's
// pages, mails, errors and commands say them, so that each says them
// alike: "a, b and c", "1 reader", "3 readers", "1,234 readers".
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

// Count is n with its noun, one for 1 and many for any other number, n's
// digits grouped as Number groups them: "1 reader", "0 readers", "3
// readers", "1,234 readers". Both forms are given, as the callers hold
// them, and as some plurals take no s ("1 person", "3 people").
func Count(n int, one, many string) string {
	return counted(Number(n), n, one, many)
}

// CountDigits is Count with n in plain digits, "1234 readers": the
// commands' figures are plain ("added 100000, updated 0"), for the
// scripts that read them, and a count in their sentences reads as they
// do.
func CountDigits(n int, one, many string) string {
	return counted(strconv.Itoa(n), n, one, many)
}

// counted is n, written as digits, with the noun for it.
func counted(digits string, n int, one, many string) string {
	if n == 1 {
		return digits + " " + one
	}
	return digits + " " + many
}

// Integer is any of Go's integer types, so that Number writes a count
// however it is held: an int, a database's int64 or a uint64.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// Number is n with a comma between each group of three digits, as English
// writes a count for people: "999", "1,234", "-1,234,567". The admin's
// tables (the templates' "grouped"), its charts and its sentences all
// write counts with it, so that a figure reads the same in each.
func Number[T Integer](n T) string {
	// Formatting the int64 or uint64 n fits in keeps the smallest int64,
	// which has no positive int64, and the largest uint64 whole.
	var digits string
	if n < 0 {
		digits = strconv.FormatInt(int64(n), 10)
	} else {
		digits = strconv.FormatUint(uint64(n), 10)
	}
	digits, negative := strings.CutPrefix(digits, "-")
	var b strings.Builder
	b.Grow(len(digits) + len(digits)/3 + 1)
	if negative {
		b.WriteByte('-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// EditDistance counts the letters to insert, delete or change, and the
// neighbours to swap, to turn a into b (restricted Damerau–Levenshtein,
// three rows of the table at a time): how near a typed name is to one
// known, for a "did you mean" that counts a swap of neighbours as one slip.
func EditDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	prev2, prev, cur := make([]int, len(y)+1), make([]int, len(y)+1), make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
