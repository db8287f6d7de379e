package campaigns_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// namelessArchiveBodies are campaign bodies that a reader without a name reads
// differently from one with a name: each as it reads in the archive.
var namelessArchiveBodies = []struct{ name, body string }{
	{"bare name after Dear", "Dear {{ .Name }},\n\nThe ferry runs on Monday.\n"},
	{"possessive", "Here are {{ .Name }}'s picks for the week.\n\n{{ .Name }}’s picks start with the quay. Then {{ .Name }}'s boat.\n"},
	{"name-only paragraph", "{{ .Name }}\n\nThe quay is open.\n"},
	{"name-only heading, item and quote", "## {{ .Name }}\n\n- {{ .Name }}\n- the quay\n\n> {{ .Name }}\n\nThe quay is open.\n"},
	{"bold name", "Hi **{{ .Name }}**, welcome aboard.\n"},
	{"name as a link", "Thanks for reading, [{{ .Name }}](https://news.example/me)!\n"},
	{"name starts a paragraph", "{{ .Name }}, the timetable changes on Monday.\n"},
	{"fallback", "Hello {{ .Name | default \"friend\" }}, the café stays open.\n"},
	{"name in code", "Write to us:\n\n```\n{{ .Name }}: hello\nFrom: {{ .Name }} <me>\n```\n\nOr `{{ .Name }}` and `{{ .Name }}, hi`.\n"},
	{"long paragraph", "Dear {{ .Name }}, " + strings.Repeat("the ferry leaves the quay at seven and ", 40) + "{{ .Name }}'s seat is kept.\n"},
	{"name in alt text", "![The quay for {{ .Name }}](https://news.example/quay.jpg)\n"},
}

// TestArchiveReadsAsANamelessReadersMail: a campaign's page in the
// archive shows its body as the HTML part of the mail a reader without a
// name got, byte for byte: the name left out with what led up to it, a
// possessive read as "your", an element holding only the name gone, the
// editor's fallback kept.
func TestArchiveReadsAsANamelessReadersMail(t *testing.T) {
	for _, tc := range namelessArchiveBodies {
		t.Run(tc.name, func(t *testing.T) {
			e := newGoldenEnv(t, "harbour", "Harbour", "off")
			e.exec(t, `UPDATE subscribers SET name = '' WHERE id = ?`, e.reader)
			c := &campaigns.Campaign{Subject: "Winter", Lists: []string{"harbour"}, Body: tc.body}
			e.sendCampaign(t, c)
			mail := mailCard(t, mailtest.Parse(t, e.send(t)))
			// The fan-out has handed out its batches; the campaign is done.
			e.exec(t, `UPDATE campaigns SET status = 'sent' WHERE id = ?`, c.ID)
			is, err := e.svc.Store.ArchiveIssue(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(mail, is.BodyHTML); diff != "" {
				t.Errorf("archive of %q (-mail +archive):\n%s", tc.body, diff)
			}
		})
	}
}

// mailCard is the body of the HTML part of pm: what its card holds.
func mailCard(t *testing.T, pm *mailtest.Mail) string {
	t.Helper()
	_, card, ok := strings.Cut(strings.ReplaceAll(pm.HTML, "\r\n", "\n"), "word-break:break-word;\">\n")
	card, _, found := strings.Cut(card, "</td></tr>")
	if !ok || !found {
		t.Fatalf("the HTML part has no card:\n%s", pm.HTML)
	}
	return strings.TrimRight(card, "\n") + "\n"
}
