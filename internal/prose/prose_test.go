package prose

import "testing"

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
// "0 readers" does.
func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{1, "1 click"},
		{0, "0 clicks"},
		{2, "2 clicks"},
		{-1, "-1 clicks"},
		{1234567, "1234567 clicks"},
	} {
		if got := Count(c.n, "click", "clicks"); got != c.want {
			t.Errorf("Count(%d, \"click\", \"clicks\") = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Count(3, "person", "people"); got != "3 people" {
		t.Errorf("Count(3, \"person\", \"people\") = %q, want \"3 people\"", got)
	}
}
