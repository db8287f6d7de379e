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
