package campaigns_test

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/mailer"
)

// possessiveBody writes the name as a possessive: starting a paragraph,
// in a sentence, with the apostrophe typed as ’, in bold, after the end
// of a sentence, in a heading and in a list item.
const possessiveBody = `{{ .Name }}'s picks this week.

Here are {{ .Name }}’s picks, and **{{ .Name }}'s** too. {{ .Name }}'s list follows.

## {{ .Name }}'s news

- {{ .Name }}'s first pick
`

// TestMailReadsYourForAPossessiveName: a reader without a name reads a
// possessive name, "{{ .Name }}'s picks", as "your picks", with a capital
// where it starts a sentence, a paragraph, a heading or an item, in both
// parts and in the preheader; the bold around it stays. A reader with a
// name reads what they read before.
func TestMailReadsYourForAPossessiveName(t *testing.T) {
	const p = `<p style="margin:0 0 16px;">`
	const h2 = `<h2 style="margin:24px 0 12px;font-size:21px;line-height:28px;">`
	const ul = `<ul style="margin:0 0 16px;padding:0 0 0 24px;">`
	const li = `<li style="margin:0 0 6px;">`
	for _, tc := range []struct {
		name, text, html, preheader string
	}{
		{
			name: "",
			text: "Your picks this week.\n\nHere are your picks, and your too. Your list follows.\n\n" +
				"Your news\n---------\n\n- Your first pick\n",
			html: p + "Your picks this week.</p>\n" +
				p + "Here are your picks, and <strong>your</strong> too. Your list follows.</p>\n" +
				h2 + "Your news</h2>\n" + ul + "\n" + li + "Your first pick</li>\n</ul>\n",
			preheader: "Your picks this week. Here are your picks, and your too. Your list follows. Your news. Your first pick",
		},
		{
			name: "Zoë O'Hara",
			text: "Zoë O'Hara’s picks this week.\n\nHere are Zoë O'Hara’s picks, and Zoë O'Hara’s too. Zoë O'Hara’s list\nfollows.\n\n" +
				"Zoë O'Hara’s news\n-----------------\n\n- Zoë O'Hara’s first pick\n",
			html: p + "Zoë O&#39;Hara’s picks this week.</p>\n" +
				p + "Here are Zoë O&#39;Hara’s picks, and <strong>Zoë O&#39;Hara’s</strong> too. Zoë O&#39;Hara’s list follows.</p>\n" +
				h2 + "Zoë O&#39;Hara’s news</h2>\n" + ul + "\n" + li + "Zoë O&#39;Hara’s first pick</li>\n</ul>\n",
			preheader: "Zoë O&#39;Hara’s picks this week. Here are Zoë O&#39;Hara’s picks, and Zoë O&#39;Hara’s too. Zoë O&#39;Hara’s list follows. " +
				"Zoë O&#39;Hara’s news. Zoë O&#39;Hara’s first pick",
		},
	} {
		e := newGoldenEnv(t, "harbour", "Harbour", "off")
		e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, tc.name, e.reader)
		e.sendCampaign(t, &campaigns.Campaign{Subject: "Picks", Lists: []string{"harbour"}, Body: possessiveBody})
		pm := mailtest.Parse(t, e.send(t))
		checkNamelessParts(t, tc.name, pm, tc.text, tc.html)
		html := strings.ReplaceAll(pm.HTML, "\r\n", "\n")
		if want := `mso-hide:all;">` + tc.preheader + padStart; !strings.Contains(html, want) {
			t.Errorf("name %q: the preheader is not %q:\n%s", tc.name, want, html)
		}
	}
}

// RenderFor, which previews a campaign for a reader, gives one without a
// name "your" for a possessive name too, after a sentence's end with a
// capital, and in a link's text.
func TestRenderForANamelessReaderReadsYourForAPossessiveName(t *testing.T) {
	html, text, err := campaigns.RenderFor("Thanks! {{ .Name }}'s picks are in [{{ .Name }}'s list](https://news.example/list).",
		mailer.Personal{Email: "ann@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Thanks! Your picks are in your list (https://news.example/list).\n"; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
	if want := `Thanks! Your picks are in <a style="text-decoration:underline;" href="https://news.example/list" rel="nofollow">your list</a>.`; !strings.Contains(html, want) {
		t.Errorf("html = %q, want it to hold %q", html, want)
	}
}
