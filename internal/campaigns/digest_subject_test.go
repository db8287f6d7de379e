package campaigns

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A digest's subject names its list, its count and its top story, and
// reads as one sentence whatever the headline holds: the count is in
// brackets, so a headline with a dash of its own ("Looking back — the
// year in film") no longer gave the subject two, which read as three
// parts of one list. It keeps to the 200 characters of a subject.
func TestDigestSubjectReadsWhateverTheHeadline(t *testing.T) {
	stories := func(titles ...string) []digestArticle {
		var out []digestArticle
		for _, title := range titles {
			out = append(out, digestArticle{Title: title})
		}
		return out
	}
	long := strings.Repeat("Harbour ", 30) + "news"
	for _, tt := range []struct {
		name, list, cadence, schedule string
		items                         []digestArticle
		want                          string
	}{
		{"a headline with a dash", "Weekend Culture", CadenceWeekly, CadenceWeekly,
			stories("Looking back — the year in film", "a", "b", "c", "d", "e"),
			"Weekend Culture (6 new stories): Looking back — the year in film"},
		{"a plain headline", "Daily News", CadenceDaily, CadenceDaily,
			stories("Bridge reopens after repairs", "a", "b", "c", "d"),
			"Daily News (5 new stories): Bridge reopens after repairs"},
		{"one story", "News", CadenceDaily, CadenceDaily, stories("Bridge reopens"), "News (1 new story): Bridge reopens"},
		{"a daily list's weekly round-up", "News", CadenceWeekly, CadenceDaily, stories("Bridge reopens"),
			"News weekly (1 new story): Bridge reopens"},
		{"a headline with a colon", "Arts", CadenceDaily, CadenceDaily, stories("Review: a night at the opera", "a"),
			"Arts (2 new stories): Review: a night at the opera"},
		{"a long headline, cut at a word", "Daily News", CadenceDaily, CadenceDaily, stories(long + " — and more"),
			"Daily News (1 new story): " + strings.Repeat("Harbour ", 20) + "Harbour…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := digestSubject(tt.list, tt.cadence, tt.schedule, tt.items)
			if got != tt.want {
				t.Errorf("subject %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > 200 {
				t.Errorf("subject of %d characters, want at most 200", n)
			}
			if head, _, _ := strings.Cut(got, ": "); strings.Contains(head, "—") {
				t.Errorf("subject %q: a dash before the headline", got)
			}
		})
	}
}
