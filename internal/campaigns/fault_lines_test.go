package campaigns_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// A body with several relative links is refused naming each with its
// line, one a line, as a list's welcome text names every fault: naming
// the first "(and 1 more)" left the editor to find the others one save at
// a time. Two links to the same page are each on their own line, and one
// Markdown escapes is named as written.
func TestEveryRelativeLinkNamedWithItsLine(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addList(t, "news")
	for _, tc := range []struct{ body, want string }{
		{"Hello,\n[a](/one) and\n\nmore:\n[b](/two)",
			`line 2: the link "/one" is not a full URL: ` + relativeAdvice + "\n" + `line 5: the link "/two" is not a full URL`},
		{"[a](/one)\n\n[again](/one)\n\n![quay](quay.jpg) [café](/café)",
			`line 1: the link "/one" is not a full URL: ` + relativeAdvice + "\n" + `line 3: the link "/one" is not a full URL` + "\n" +
				`line 5: the image "quay.jpg" is not a full URL` + "\n" + `line 5: the link "/café" is not a full URL`},
		{"[you]({{ .Email }})\n[b](/b)\n[me]({{ .Name }})",
			`line 1: the link "{{ .Email }}" is not a full URL: a personal field may fill part of one (https://news.example/me?e={{ .Email }}), not stand for it` + "\n" +
				`line 2: the link "/b" is not a full URL: ` + relativeAdvice + "\n" + `line 3: the link "{{ .Name }}" is not a full URL`},
	} {
		err := e.svc.Schedule(ctx, &campaigns.Campaign{Subject: "Ferries", Body: tc.body, Lists: []string{"news"}})
		if got := bulletin.ErrorFields(err)["body"]; got != tc.want {
			t.Errorf("save %q: body refused with\n%s\nwant\n%s", tc.body, got, tc.want)
		}
		if got := campaigns.CheckBody(tc.body); got == nil || got.Error() != tc.want {
			t.Errorf("welcome text %q: %v, want\n%s", tc.body, got, tc.want)
		}
		_, err = campaigns.Preview(tc.body, "Ada", "ada@example.com")
		if got := bulletin.ErrorFields(err)["body"]; got != tc.want {
			t.Errorf("preview %q: body refused with\n%s\nwant\n%s", tc.body, got, tc.want)
		}
	}
}

// A body of many faults of a kind names the first 20, each with its
// line, and counts the rest on one more, so the refusal of a body of
// thousands is not as long as the body.
func TestManyFaultsOfAKindCounted(t *testing.T) {
	lines := func(n int, format string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, format+"\n\n", i)
		}
		return b.String()
	}
	const named = 20
	for _, tc := range []struct{ body, last string }{
		{lines(25, "[a](/p%d)"), "and 5 more links that are not full URLs"},
		{lines(21, "![a](p%d.jpg)"), "and 1 more image that is not a full URL"},
		{lines(10, "![a](p%d.jpg)") + lines(20, "[a](/p%d)"), "and 10 more links that are not full URLs"},
		{lines(20, "[a](/p%d)") + lines(1, "![a](p%d.jpg)") + lines(1, "[a](/q%d)"), "and 2 more links and images that are not full URLs"},
		{lines(30, "<script>%d</script>"), "and 10 more elements mail cannot show"},
		{lines(21, "<iframe>%d</iframe>"), "and 1 more element mail cannot show"},
		{lines(23, "![a](data:image/png;base64,%d)"), "and 3 more images whose address is not a web address"},
		{lines(40, "{{ .Nmae%d }}"), "and 20 more {{ … }} that are not personal fields"},
		{lines(21, "{{ .Emial%d }}"), "and 1 more {{ … }} that is not a personal field"},
	} {
		err := campaigns.CheckBody(tc.body)
		if err == nil {
			t.Errorf("%.40q…: taken", tc.body)
			continue
		}
		got := strings.Split(err.Error(), "\n")
		if len(got) != named+1 || got[len(got)-1] != tc.last {
			t.Errorf("%.40q…: %d lines, the last %q; want %d named and then %q", tc.body, len(got), got[len(got)-1], named, tc.last)
			continue
		}
		// Each named is on its own line of the body: the ith fault,
		// from 0, on line 1+2i.
		for i, fault := range got[:named] {
			if !strings.HasPrefix(fault, fmt.Sprintf("line %d: ", 1+2*i)) {
				t.Errorf("%.40q…: fault %d is %q, want it on line %d", tc.body, i, fault, 1+2*i)
			}
		}
	}
}
