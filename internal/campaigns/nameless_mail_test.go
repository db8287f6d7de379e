package campaigns_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// namelessBody writes the name in a sentence, in bold, as a link's text,
// at the start of a paragraph, in a heading, and with a fallback.
const namelessBody = `Dear {{ .Name }},

Hi **{{ .Name }}**, welcome aboard the winter ferry.

Thanks for reading, [{{ .Name }}](https://news.example/me)!

{{ .Name }}, the timetable changes on Monday.

## News for {{ .Name }}

See you on deck {{ .Name }} and bring a coat.

Hello {{ .Name | default "neighbour" }}, the café stays open.
`

// TestMailLeavesOutTheNameOfANamelessReader: a reader without a name
// reads a campaign as the archive does, in both parts of the mail as sent
// and in the inbox's preheader: a bare name is left out with the space or
// comma before it ("Dear,", not "Dear ,"), an element holding only the
// name goes with it (no empty <strong></strong>, no link without text),
// and a paragraph that started with the name starts with the word after
// it, with a capital. A reader with a name reads what they read before,
// and a fallback is still the nameless reader's.
func TestMailLeavesOutTheNameOfANamelessReader(t *testing.T) {
	const p = `<p style="margin:0 0 16px;">`
	const h2 = `<h2 style="margin:24px 0 12px;font-size:21px;line-height:28px;">`
	const a = `<a style="text-decoration:underline;" href="https://news.example/me" rel="nofollow">`
	for _, tc := range []struct {
		name, text, html, preheader string
	}{
		{
			name: "",
			text: "Dear,\n\nHi, welcome aboard the winter ferry.\n\nThanks for reading!\n\n" +
				"The timetable changes on Monday.\n\nNews for\n--------\n\n" +
				"See you on deck and bring a coat.\n\nHello neighbour, the café stays open.\n",
			html: p + "Dear,</p>\n" + p + "Hi, welcome aboard the winter ferry.</p>\n" + p + "Thanks for reading!</p>\n" +
				p + "The timetable changes on Monday.</p>\n" + h2 + "News for</h2>\n" +
				p + "See you on deck and bring a coat.</p>\n" + p + "Hello neighbour, the café stays open.</p>\n",
			preheader: "Hi, welcome aboard the winter ferry. Thanks for reading! The timetable changes on Monday. News for. See you on…",
		},
		{
			name: "Zoë O'Hara",
			text: "Dear Zoë O'Hara,\n\nHi Zoë O'Hara, welcome aboard the winter ferry.\n\n" +
				"Thanks for reading, Zoë O'Hara (https://news.example/me)!\n\n" +
				"Zoë O'Hara, the timetable changes on Monday.\n\nNews for Zoë O'Hara\n-------------------\n\n" +
				"See you on deck Zoë O'Hara and bring a coat.\n\nHello Zoë O'Hara, the café stays open.\n",
			html: p + "Dear Zoë O&#39;Hara,</p>\n" + p + "Hi <strong>Zoë O&#39;Hara</strong>, welcome aboard the winter ferry.</p>\n" +
				p + "Thanks for reading, " + a + "Zoë O&#39;Hara</a>!</p>\n" +
				p + "Zoë O&#39;Hara, the timetable changes on Monday.</p>\n" + h2 + "News for Zoë O&#39;Hara</h2>\n" +
				p + "See you on deck Zoë O&#39;Hara and bring a coat.</p>\n" + p + "Hello Zoë O&#39;Hara, the café stays open.</p>\n",
			preheader: "Hi Zoë O&#39;Hara, welcome aboard the winter ferry. Thanks for reading, Zoë O&#39;Hara! " +
				"Zoë O&#39;Hara, the timetable changes on Monday. News for Zoë O&#39;Hara. See you on…",
		},
	} {
		e := newGoldenEnv(t, "harbour", "Harbour", "off")
		e.exec(t, `UPDATE subscribers SET name = ? WHERE id = ?`, tc.name, e.reader)
		e.sendCampaign(t, &campaigns.Campaign{Subject: "Winter", Lists: []string{"harbour"}, Body: namelessBody})
		pm := mailtest.Parse(t, e.send(t))
		checkNamelessParts(t, tc.name, pm, tc.text, tc.html)
		html := strings.ReplaceAll(pm.HTML, "\r\n", "\n")
		if want := `mso-hide:all;">` + tc.preheader + padStart; !strings.Contains(html, want) {
			t.Errorf("name %q: the preheader is not %q:\n%s", tc.name, want, html)
		}
	}
}

// A welcome mail's text is a body like a campaign's: a reader without a
// name reads it without the name, a reader with one reads it as before.
func TestWelcomeMailLeavesOutTheNameOfANamelessReader(t *testing.T) {
	const p = `<p style="margin:0 0 16px;">`
	for _, tc := range []struct{ name, text, html string }{
		{"", "Welcome aboard!\n\nGlad to have you on the Quay letter.\n",
			p + "Welcome aboard!</p>\n" + p + "Glad to have you on the Quay letter.</p>\n"},
		{"Zoë O'Hara", "Welcome aboard, Zoë O'Hara!\n\nZoë O'Hara, glad to have you on the Quay letter.\n",
			p + "Welcome aboard, <em>Zoë O&#39;Hara</em>!</p>\n" + p + "Zoë O&#39;Hara, glad to have you on the Quay letter.</p>\n"},
	} {
		e, store := newWelcomeEnv(t)
		e.exec(t, `UPDATE subscribers SET name = ?, status = 'pending' WHERE id = ?`, tc.name, e.reader)
		e.exec(t, `UPDATE subscriptions SET status = 'pending' WHERE subscriber_id = ?`, e.reader)
		e.exec(t, `UPDATE lists SET welcome = ? WHERE slug = 'quay'`,
			"Welcome aboard, *{{ .Name }}*!\n\n{{ .Name }}, glad to have you on the Quay letter.")
		ctx := context.Background()
		if _, err := store.Confirm(ctx, e.reader); err != nil {
			t.Fatal(err)
		}
		for _, task := range e.q.take(queue.TypeWelcomeSend) {
			if err := e.svc.HandleWelcome(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		raw := e.out.msgs[goldenReader.Address]
		if raw == nil {
			t.Fatalf("name %q: no welcome mail", tc.name)
		}
		checkNamelessParts(t, tc.name, mailtest.Parse(t, raw), tc.text, tc.html)
	}
}

// checkNamelessParts compares the body of each part of a mail to a
// reader named name with text and html: the text part up to its
// signature, the HTML part's card.
func checkNamelessParts(t *testing.T, name string, pm *mailtest.Mail, text, html string) {
	t.Helper()
	gotText, _, ok := strings.Cut(strings.ReplaceAll(pm.Text, "\r\n", "\n"), "\n-- \n")
	if !ok {
		t.Fatalf("name %q: the text part has no signature:\n%s", name, pm.Text)
	}
	if diff := cmp.Diff(text, gotText); diff != "" {
		t.Errorf("name %q: text part (-want +got):\n%s", name, diff)
	}
	_, card, ok := strings.Cut(strings.ReplaceAll(pm.HTML, "\r\n", "\n"), "word-break:break-word;\">\n")
	card, _, found := strings.Cut(card, "</td></tr>")
	if !ok || !found {
		t.Fatalf("name %q: the HTML part has no card:\n%s", name, pm.HTML)
	}
	if diff := cmp.Diff(html, strings.TrimRight(card, "\n")+"\n"); diff != "" {
		t.Errorf("name %q: HTML part (-want +got):\n%s", name, diff)
	}
	if strings.Contains(pm.Text+pm.HTML, "BLTN") {
		t.Errorf("name %q: a marker is left in the mail", name)
	}
}
