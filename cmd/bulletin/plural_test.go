package main

import "testing"

// Counts in the commands' reports say 1 in the singular.
func TestPluralAndIsAre(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{plural(1, "recipient"), "1 recipient"},
		{plural(0, "recipient"), "0 recipients"},
		{plural(3, "confirmation mail"), "3 confirmation mails"},
		{isAre(1, "new subscriber"), "1 new subscriber is"},
		{isAre(2, "new subscriber"), "2 new subscribers are"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
