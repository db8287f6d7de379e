package articles

import "strings"

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
