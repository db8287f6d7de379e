package articles

import "strings"

// noLists says that the quoted slugs name no list, in the words of
// subscribers.NoLists (which this package cannot import): `there is no
// list "a"` for one, `there are no lists "a", "b" and "c"` for more.
func noLists(quoted []string) string {
	if len(quoted) == 1 {
		return "there is no list " + quoted[0]
	}
	return "there are no lists " + strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}

// listKey is slug as lists are stored and looked up by: without the
// spaces around it, its ASCII letters in lower case, as
// subscribers.SlugKey reads it (subscribers imports this package, so
// this one cannot import it). A feed's list and an article's lists are
// so read in any case, as the subscriber, list and campaign endpoints
// read theirs: "Daily-News" names daily-news. Only ASCII is folded, as
// a slug is ASCII.
func listKey(slug string) string {
	b := []byte(strings.TrimSpace(slug))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
