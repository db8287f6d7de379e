package web

import (
	"regexp"
	"strings"
	"testing"
)

// An archived digest's page said when it went out in the line of its
// link back to the archive, above its heading; a campaign's said it under
// its heading, in a line of its own. Both now say it in the same place,
// the line of the link back, before the heading, in the same words: a
// campaign's with its lists, which nothing else on its page names (a
// digest's masthead names its list).
func TestArchiveIssueSaysWhenItWentOutInOnePlace(t *testing.T) {
	digest, campaign := archivedDigestAndCampaign(t)
	const date = `[0-9]{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) [0-9]{4}`
	for _, tc := range []struct {
		name, page string
		line       *regexp.Regexp
	}{
		{"digest", digest, regexp.MustCompile(`<p class="muted small"><a href="/archive">← Archive</a> · Digest sent ` + date + `</p>`)},
		{"campaign", campaign, regexp.MustCompile(`<p class="muted small"><a href="/archive">← Archive</a> · Sent ` + date + ` · News</p>`)},
	} {
		loc := tc.line.FindStringIndex(tc.page)
		if loc == nil {
			t.Errorf("%s: no line %s:\n%s", tc.name, tc.line, tc.page)
			continue
		}
		if h1 := strings.Index(tc.page, "<h1"); h1 < loc[1] {
			t.Errorf("%s: the date is not above the heading:\n%s", tc.name, tc.page)
		}
		// Outside the issue's own body, the page gives the date once.
		outside := tc.page[:strings.Index(tc.page, `<div class="issue"`)]
		if n := len(regexp.MustCompile(date).FindAllString(outside, -1)); n != 1 {
			t.Errorf("%s: the page gives the date %d times outside the issue, want once:\n%s", tc.name, n, outside)
		}
	}
}
