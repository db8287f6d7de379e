package campaigns_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/mailer"
)

// nameBlocksBody has blocks that hold only the name: a paragraph in
// bold, a heading, an item of a list and one of a numbered list, a
// quote, and a last paragraph.
const nameBlocksBody = `Dear reader,

**{{ .Name }}**

### {{ .Name }}

Thanks for reading.

- the ferry
- {{ .Name }}
- the café

1. first
2. {{ .Name }},
3. second
4. third

> {{ .Name }}

See you on deck.

*{{ .Name }}*
`

// TestMailLeavesOutABlockHoldingOnlyTheName: a paragraph, heading, list
// item or quote that holds nothing but the name is not there for a
// reader without a name, in either part: no empty element, no empty
// line, no blank line more than between the blocks around it, and the
// numbered list is numbered on. A reader with a name reads what they
// read before.
func TestMailLeavesOutABlockHoldingOnlyTheName(t *testing.T) {
	const p = `<p style="margin:0 0 16px;">`
	const ul = `<ul style="margin:0 0 16px;padding:0 0 0 24px;">` + "\n"
	const ol = `<ol style="margin:0 0 16px;padding:0 0 0 24px;">` + "\n"
	const li = `<li style="margin:0 0 6px;">`
	const quote = `<blockquote style="margin:0 0 16px;padding:0 0 0 14px;border-left:3px solid #d1d5db;">` + "\n"
	for _, tc := range []struct {
		name, text, html, preheader string
	}{
		{
			name: "",
			text: "Dear reader,\n\nThanks for reading.\n\n- the ferry\n- the café\n\n" +
				"1. first\n2. second\n3. third\n\nSee you on deck.\n",
			html: p + "Dear reader,</p>\n" + p + "Thanks for reading.</p>\n" +
				ul + li + "the ferry</li>\n" + li + "the café</li>\n</ul>\n" +
				ol + li + "first</li>\n" + li + "second</li>\n" + li + "third</li>\n</ol>\n" +
				p + "See you on deck.</p>\n",
			preheader: "Thanks for reading. the ferry. the café. first. second. third. See you on deck.",
		},
		{
			name: "Zoë O'Hara",
			text: "Dear reader,\n\nZoë O'Hara\n\n### Zoë O'Hara\n\nThanks for reading.\n\n- the ferry\n- Zoë O'Hara\n- the café\n\n" +
				"1. first\n2. Zoë O'Hara,\n3. second\n4. third\n\n> Zoë O'Hara\n\nSee you on deck.\n\nZoë O'Hara\n",
			html: p + "Dear reader,</p>\n" + p + "<strong>Zoë O&#39;Hara</strong></p>\n" +
				`<h3 style="margin:20px 0 8px;font-size:18px;line-height:26px;">Zoë O&#39;Hara</h3>` + "\n" +
				p + "Thanks for reading.</p>\n" +
				ul + li + "the ferry</li>\n" + li + "Zoë O&#39;Hara</li>\n" + li + "the café</li>\n</ul>\n" +
				ol + li + "first</li>\n" + li + "Zoë O&#39;Hara,</li>\n" + li + "second</li>\n" + li + "third</li>\n</ol>\n" +
				quote + p + "Zoë O&#39;Hara</p>\n</blockquote>\n" + p + "See you on deck.</p>\n" + p + "<em>Zoë O&#39;Hara</em></p>\n",
			preheader: "Zoë O&#39;Hara. Zoë O&#39;Hara. Thanks for reading. the ferry. Zoë O&#39;Hara. the café. " +
				"first. Zoë O&#39;Hara, second. third. Zoë O&#39;Hara. See you on deck. Zoë O&#39;Hara",
		},
	} {
		e := newGoldenEnv(t, "harbour", "Harbour", "off")
		e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, tc.name, e.reader)
		e.sendCampaign(t, &campaigns.Campaign{Subject: "Winter", Lists: []string{"harbour"}, Body: nameBlocksBody})
		pm := mailtest.Parse(t, e.send(t))
		checkNamelessParts(t, tc.name, pm, tc.text, tc.html)
		html := strings.ReplaceAll(pm.HTML, "\r\n", "\n")
		if want := `mso-hide:all;">` + tc.preheader + padStart; !strings.Contains(html, want) {
			t.Errorf("name %q: the preheader is not %q:\n%s", tc.name, want, html)
		}
	}
}

// The blocks around one that holds only the name keep their own marks
// for the mailer, which wraps a paragraph again for the reader whose
// name, or whose lack of one, makes a line of it too long: after such a
// block, before one, and in the list items numbered on after one.
func TestTextPartWrapsAgainAroundABlockHoldingOnlyTheName(t *testing.T) {
	x := strings.Repeat("x", 54)
	greet := "Hi there, " + x + " Dear {{ .Name }}, and more words." // "Dear" ends at column 69
	body := "**{{ .Name }}**\n\n" + greet + "\n\n" +
		"1. first\n2. {{ .Name }}\n3. " + greet + "\n4. " + greet + "\n\n" +
		"> " + greet + "\n>\n> {{ .Name }}\n"
	cm := winterMessage(t, body)
	long := "Alexandra-Konstantina Papadopoulou"
	for _, tc := range []struct{ name, want string }{
		{"", "Hi there, " + x + " Dear,\nand more words.\n\n" +
			"1. first\n2. Hi there, " + x + "\n   Dear, and more words.\n3. Hi there, " + x + "\n   Dear, and more words.\n\n" +
			"> Hi there, " + x + " Dear,\n> and more words.\n"},
		{long, long + "\n\nHi there, " + x + " Dear\n" + long + ", and more words.\n\n" +
			"1. first\n2. " + long + "\n3. Hi there, " + x + " Dear\n   " + long + ", and more words.\n" +
			"4. Hi there, " + x + " Dear\n   " + long + ", and more words.\n\n" +
			"> Hi there, " + x + " Dear\n> " + long + ", and more words.\n>\n> " + long + "\n"},
	} {
		raw, err := cm.Compose(nil, mailer.Personal{Email: "ann@example.org", Name: tc.name})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(mailtest.Parse(t, raw).Text, "\r\n", "\n")
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("name %q: text part (-want +got):\n%s", tc.name, diff)
		}
	}
}

// A link holding only the name goes with it, the URL after it in the text
// part too.
func TestRenderForANamelessReaderLeavesOutALinkHoldingOnlyTheName(t *testing.T) {
	html, text, err := campaigns.RenderFor("Thanks for reading.\n\n[{{ .Name }}](https://news.example/me)\n\nSee you.\n",
		mailer.Personal{Email: "ann@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Thanks for reading.\n\nSee you.\n"; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
	if want := "<p style=\"margin:0 0 16px;\">Thanks for reading.</p>\n<p style=\"margin:0 0 16px;\">See you.</p>\n"; html != want {
		t.Errorf("html = %q, want %q", html, want)
	}
}
