package prose

import (
	"math"
	"testing"
)

// And joins two items with "and", and puts commas between the rest, with
// none before the "and".
func TestAnd(t *testing.T) {
	for _, c := range []struct {
		items []string
		want  string
	}{
		{nil, ""},
		{[]string{}, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
		{[]string{"“News”", "“Sport”", "“Arts”", "“Weather”"}, "“News”, “Sport”, “Arts” and “Weather”"},
		{[]string{"", "b"}, " and b"},
	} {
		if got := And(c.items); got != c.want {
			t.Errorf("And(%q) = %q, want %q", c.items, got, c.want)
		}
	}
}

// Count takes the singular for 1 alone: 0 and -1 take the plural, as
// "0 readers" does. Its digits are grouped as the admin's tables group
// them: "1,234,567 clicks", not "1234567 clicks".
func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{1, "1 click"},
		{0, "0 clicks"},
		{2, "2 clicks"},
		{-1, "-1 clicks"},
		{999, "999 clicks"},
		{1000, "1,000 clicks"},
		{1234567, "1,234,567 clicks"},
		{-1234, "-1,234 clicks"},
	} {
		if got := Count(c.n, "click", "clicks"); got != c.want {
			t.Errorf("Count(%d, \"click\", \"clicks\") = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Count(3, "person", "people"); got != "3 people" {
		t.Errorf("Count(3, \"person\", \"people\") = %q, want \"3 people\"", got)
	}
}

// Number puts a comma before each group of three digits from the right,
// none before the first digit or after a minus sign, whatever the integer
// type, and keeps the extremes of int64 and uint64 whole.
func TestNumber(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, "0"},
		{1, "1"},
		{12, "12"},
		{999, "999"},
		{1000, "1,000"},
		{1234, "1,234"},
		{9999, "9,999"},
		{10000, "10,000"},
		{100000, "100,000"},
		{999999, "999,999"},
		{1000000, "1,000,000"},
		{1234567, "1,234,567"},
		{-1, "-1"},
		{-999, "-999"},
		{-1000, "-1,000"},
		{-100000, "-100,000"},
		{-1234567, "-1,234,567"},
	} {
		if got := Number(c.n); got != c.want {
			t.Errorf("Number(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		got, want string
	}{
		{Number(int64(math.MaxInt64)), "9,223,372,036,854,775,807"},
		{Number(int64(math.MinInt64)), "-9,223,372,036,854,775,808"},
		{Number(uint64(math.MaxUint64)), "18,446,744,073,709,551,615"},
		{Number(int8(math.MinInt8)), "-128"},
		{Number(uint16(math.MaxUint16)), "65,535"},
		{Number(int32(-2147483648)), "-2,147,483,648"},
	} {
		if c.got != c.want {
			t.Errorf("Number = %q, want %q", c.got, c.want)
		}
	}
}

// CountDigits is Count with plain digits, for the commands' sentences.
func TestCountDigits(t *testing.T) {
	for n, want := range map[int]string{1: "1 line", 0: "0 lines", 1234567: "1234567 lines", -1234: "-1234 lines"} {
		if got := CountDigits(n, "line", "lines"); got != want {
			t.Errorf("CountDigits(%d, \"line\", \"lines\") = %q, want %q", n, got, want)
		}
	}
}

// EditDistance counts a swap of neighbours as one slip, as nearest needs.
func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"subjcet", "subject", 1}, {"nmae", "name", 1}, {"lists", "list", 1},
		{"kitten", "sitting", 3}, {"", "abc", 3}, {"abc", "", 3}, {"same", "same", 0},
	} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
