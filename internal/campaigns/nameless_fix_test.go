package campaigns_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// preheaderDiv matches the hidden preheader of a campaign's HTML part,
// without the run that pads it (padStart).
var preheaderDiv = regexp.MustCompile(`mso-hide:all;">([^<]*?)(?:&#847;&zwnj;&nbsp;)*</div>`)

// sentMail sends a campaign of body to the golden reader, named name,
// over SQLite and the mailer as serve does, and returns the body of its
// text part up to the signature, its HTML part and its preheader.
func sentMail(t *testing.T, body, name string) (text, html, preheader string) {
	t.Helper()
	e := newGoldenEnv(t, "harbour", "Harbour", "off")
	e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, name, e.reader)
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Winter", Lists: []string{"harbour"}, Body: body})
	pm := mailtest.Parse(t, e.send(t))
	if strings.Contains(pm.Text+pm.HTML, "BLTN") {
		t.Errorf("name %q: a marker is left in the mail", name)
	}
	text, _, ok := strings.Cut(strings.ReplaceAll(pm.Text, "\r\n", "\n"), "\n-- \n")
	if !ok {
		t.Fatalf("name %q: the text part has no signature:\n%s", name, pm.Text)
	}
	html = strings.ReplaceAll(pm.HTML, "\r\n", "\n")
	m := preheaderDiv.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("name %q: no preheader ends in the HTML part:\n%s", name, html)
	}
	return text, html, m[1]
}

// TestTextPartKeepsTheSpaceAfterANameStartingALine: the name and the
// address take no room when the text part is wrapped, as only the
// message knows them; a line that starts with one still has the space
// after it ("Al and co", not "Aland co"), and so does a link holding only
// the name ("Al (URL)"), for readers with a name and without.
func TestTextPartKeepsTheSpaceAfterANameStartingALine(t *testing.T) {
	body := "{{ .Name }} and co set sail.\n\n[{{ .Name }}](https://news.example/me)\n\n" +
		"{{ .Email }} and co\n\nDear reader,\\\n{{ .Name }} and the crew.\n"
	for _, tc := range []struct{ name, text string }{
		{"Al", "Al and co set sail.\n\nAl (https://news.example/me)\n\nzoe@example.org and co\n\n" +
			"Dear reader,\nAl and the crew.\n"},
		{"", "And co set sail.\n\nzoe@example.org and co\n\nDear reader,\nAnd the crew.\n"},
	} {
		text, _, _ := sentMail(t, body, tc.name)
		if diff := cmp.Diff(tc.text, text); diff != "" {
			t.Errorf("name %q: text part (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestTextPartUnderlinesAHeadingHoldingOnlyTheName: a heading that holds
// only the name or the address is underlined as long as the reader's
// value, not left with an empty line, and a reader without a name reads
// neither the heading nor its underline, in the text part and in the
// preheader, where the rest of the mail still follows it.
func TestTextPartUnderlinesAHeadingHoldingOnlyTheName(t *testing.T) {
	for _, tc := range []struct{ body, name, text, preheader string }{
		{"Dear reader,\n\n## {{ .Name }}\n\nThanks for reading.\n\n# {{ .Email }}\n", "Al",
			"Dear reader,\n\nAl\n--\n\nThanks for reading.\n\nzoe@example.org\n===============\n",
			"Al. Thanks for reading. zoe@example.org"},
		{"Dear reader,\n\n## {{ .Name }}\n\nThanks for reading.\n\n# {{ .Email }}\n", "",
			"Dear reader,\n\nThanks for reading.\n\nzoe@example.org\n===============\n",
			"Thanks for reading. zoe@example.org"},
		{"> Dear reader,\n>\n> # {{ .Name }}\n\nSee you.\n", "Zoë",
			"> Dear reader,\n>\n> Zoë\n> ===\n\nSee you.\n", "Zoë. See you."},
		{"> Dear reader,\n>\n> # {{ .Name }}\n\nSee you.\n", "",
			"> Dear reader,\n\nSee you.\n", "See you."},
		{"Dear reader,\n\n## {{ .Name }}\n", "Al", "Dear reader,\n\nAl\n--\n", "Dear reader, Al"},
		{"Dear reader,\n\n## {{ .Name }}\n", "", "Dear reader,\n", "Dear reader,"},
	} {
		text, _, preheader := sentMail(t, tc.body, tc.name)
		if diff := cmp.Diff(tc.text, text); diff != "" {
			t.Errorf("%q, name %q: text part (-want +got):\n%s", tc.body, tc.name, diff)
		}
		if preheader != tc.preheader {
			t.Errorf("%q, name %q: preheader %q, want %q", tc.body, tc.name, preheader, tc.preheader)
		}
	}
}

// TestNamelessReaderReadsASentenceStartAfterALeftOutName: a name left
// out where it starts a sentence, after another, goes with the comma
// after it, and the word after it starts the sentence with a capital,
// as at the start of a paragraph: "Thanks. {{ .Name }}, welcome" reads
// "Thanks. Welcome", in both parts. A name that ends the sentence, or
// one in the middle of it, is left out as before.
func TestNamelessReaderReadsASentenceStartAfterALeftOutName(t *testing.T) {
	body := "Thanks. {{ .Name }}, welcome aboard.\n\nGood trip! **{{ .Name }}**: the crew waves.\n\n" +
		"Fair winds. {{ .Name }} and the crew.\n\nThanks, {{ .Name }}. See you {{ .Name }}.\n"
	const p = `<p style="margin:0 0 16px;">`
	for _, tc := range []struct{ name, text string }{
		{"", "Thanks. Welcome aboard.\n\nGood trip! The crew waves.\n\nFair winds. And the crew.\n\nThanks. See you.\n"},
		{"Al", "Thanks. Al, welcome aboard.\n\nGood trip! Al: the crew waves.\n\nFair winds. Al and the crew.\n\nThanks, Al. See you Al.\n"},
	} {
		text, html, _ := sentMail(t, body, tc.name)
		if diff := cmp.Diff(tc.text, text); diff != "" {
			t.Errorf("name %q: text part (-want +got):\n%s", tc.name, diff)
		}
		for _, para := range strings.Split(strings.TrimSpace(tc.text), "\n\n") {
			para = strings.ReplaceAll(para, "Al:", "<strong>Al</strong>:")
			if !strings.Contains(html, p+para+"</p>") {
				t.Errorf("name %q: the HTML part has no paragraph %q:\n%s", tc.name, para, html)
			}
		}
	}
}

// TestPreheaderCountsTheWiderSideOfAFallback: the preheader is cut at
// 120 columns, a fallback counted as the wider of its sides, not as both:
// a possessive's "your" no longer takes the room of "’s" and "your"
// together, and a reader with a name reads the line cut where they read
// it before a reader without one read "your" (here "the café…", as at
// commit 3727834, not "the…"). No reader's line is longer than 120
// columns, the name left out.
func TestPreheaderCountsTheWiderSideOfAFallback(t *testing.T) {
	words := "the ferry leaves at dawn and the café stays open late for those who wait on the quay with a coat and a flask of tea"
	first := strings.Join(strings.Fields(words)[:14], " ")
	body := "{{ .Name }}'s picks: " + first + ". " + words + ".\n"
	for _, tc := range []struct{ name, preheader string }{
		{"Al", "Al’s picks: " + first + ". the ferry leaves at dawn and the café…"},
		{"", "Your picks: " + first + ". the ferry leaves at dawn and the café…"},
	} {
		_, _, preheader := sentMail(t, body, tc.name)
		if preheader != tc.preheader {
			t.Errorf("name %q: preheader %q, want %q", tc.name, preheader, tc.preheader)
		}
		if n := utf8.RuneCountInString(strings.TrimPrefix(preheader, tc.name)); n > 120 {
			t.Errorf("name %q: preheader of %d columns", tc.name, n)
		}
	}
}
