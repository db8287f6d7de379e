package campaigns_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// inboxLine matches the hidden preheader of a campaign's HTML part, its
// line breaks taken out, without the run that pads it (padStart).
var inboxLine = regexp.MustCompile(`mso-hide:all;">([^<]*?)(?:&#847;&zwnj;&nbsp;)*</div>`)

// inboxLines sends a campaign of body, with preheader pre, to a reader
// named "Ada Reader" and to one without a name, as serve does: stored in
// SQLite, fanned out, composed by the mailer for each and sent over SMTP
// to a server on the loopback. It returns the preheader each one's mail
// holds.
func inboxLines(t *testing.T, body, pre string) (named, nameless string) {
	t.Helper()
	e := newEnv(t)
	srv := smtptest.Start(t)
	list := e.addList(t, "harbour")
	ada := e.addSubscriber(t, "ada@example.com", "confirmed", list)
	anon := e.addSubscriber(t, "anon@example.com", "confirmed", list)
	e.exec(t, `UPDATE subscribers SET name = 'Ada Reader' WHERE id = ?`, ada)
	e.exec(t, `UPDATE subscribers SET name = '' WHERE id = ?`, anon)
	e.sendTo(t, &campaigns.Campaign{Subject: "Ferries", Preheader: pre, Body: body, Lists: []string{"harbour"}}, srv)
	got := map[string]string{}
	for _, m := range srv.Messages() {
		pm := mailtest.Parse(t, m.Data)
		if strings.Contains(pm.HTML, "BLTN") {
			t.Errorf("%s: a marker is left in the HTML part:\n%s", m.To[0], pm.HTML)
		}
		s := inboxLine.FindStringSubmatch(strings.NewReplacer("\r", "", "\n", "").Replace(pm.HTML))
		if s == nil {
			t.Fatalf("%s: no preheader in the HTML part:\n%s", m.To[0], pm.HTML)
		}
		got[m.To[0]] = s[1]
	}
	if len(got) != 2 {
		t.Fatalf("mailed %d readers, want 2", len(got))
	}
	return got["ada@example.com"], got["anon@example.com"]
}

// TestPreheaderLeavesOutTheGreeting: the automatic preheader, the line an
// inbox shows beside the subject, starts after the greeting a mail opens
// with (the admin form starts every body with one), for readers with a
// name and without, with no marker or fallback half left behind. A mail
// that is only a greeting keeps it; one that opens otherwise, and a
// preheader the editor wrote, read as before.
func TestPreheaderLeavesOutTheGreeting(t *testing.T) {
	for _, tc := range []struct {
		name, body, pre string
		named, nameless string
	}{
		{name: "a greeting with the name, on a line of its own",
			body:  "Hello {{ .Name }},\n\nThis week the ferry runs late.",
			named: "This week the ferry runs late.", nameless: "This week the ferry runs late."},
		{name: "the admin form's greeting, its fallback whole, the name later kept",
			body:  "Hello {{ .Name | default \"reader\" }},\n\nGood news for {{ .Name | default \"reader\" }}: the ferry is back.",
			named: "Good news for Ada Reader: the ferry is back.", nameless: "Good news for reader: the ferry is back."},
		{name: "a bare greeting",
			body:  "Hi,\n\nThe café opens at nine.",
			named: "The café opens at nine.", nameless: "The café opens at nine."},
		{name: "a greeting ended by a dash",
			body:  "Dear readers —\n\nThe bridge is shut until Friday.",
			named: "The bridge is shut until Friday.", nameless: "The bridge is shut until Friday."},
		{name: "a greeting sentence, the news after it on its line",
			body:  "Hello there! Big news today: the ferry is back.",
			named: "Big news today: the ferry is back.", nameless: "Big news today: the ferry is back."},
		{name: "a greeting and the name in the sentence's first words, with a capital after",
			body:  "Hello {{ .Name }}, this week the ferry runs late.",
			named: "This week the ferry runs late.", nameless: "This week the ferry runs late."},
		{name: "the name after the greeting's comma, in a fallback",
			body:  "Good morning, {{ .Name | default \"reader\" }}!\n\nThe ferry is back.",
			named: "The ferry is back.", nameless: "The ferry is back."},
		{name: "the name after the greeting's comma, left out for a reader without one",
			body:  "Good morning, {{ .Name }}!\n\nThe ferry is back.",
			named: "The ferry is back.", nameless: "The ferry is back."},
		{name: "a greeting as the heading",
			body:  "# Hello {{ .Name }}!\n\nThe ferry is back.",
			named: "The ferry is back.", nameless: "The ferry is back."},
		{name: "a bare greeting, the mail's own words after its comma",
			body:  "Hi, this is big: the ferry is back.",
			named: "This is big: the ferry is back.", nameless: "This is big: the ferry is back."},
		{name: "a greeting in French, a space before its mark",
			body:  "Bonjour {{ .Name }} !\n\nLe bac est de retour.",
			named: "Le bac est de retour.", nameless: "Le bac est de retour."},
		{name: "a mail that is only a greeting keeps it",
			body:  "Hello!",
			named: "Hello!", nameless: "Hello!"},
		{name: "a greeting with the name only keeps it, for each reader",
			body:  "Hello {{ .Name }}!",
			named: "Hello Ada Reader!", nameless: "Hello!"},
		{name: "a greeting followed by nothing the line shows keeps it",
			body:  "Hello!\n\n![Harbour at dawn](https://news.example/h.jpg)",
			named: "Hello!", nameless: "Hello!"},
		{name: "no greeting: as before",
			body:  "The ferry is back.\n\nHello to our new readers.",
			named: "The ferry is back. Hello to our new readers.", nameless: "The ferry is back. Hello to our new readers."},
		{name: "a word starting like a greeting is none",
			body:  "Hiking season opens on Monday.\n\nBring boots.",
			named: "Hiking season opens on Monday. Bring boots.", nameless: "Hiking season opens on Monday. Bring boots."},
		{name: "a greeting word opening a longer sentence is none",
			body:  "Greetings cards are half price this week.",
			named: "Greetings cards are half price this week.", nameless: "Greetings cards are half price this week."},
		{name: "the editor's preheader stays as written",
			body: "Hello {{ .Name }},\n\nThis week the ferry runs late.", pre: "Hello from the harbour",
			named: "Hello from the harbour", nameless: "Hello from the harbour"},
	} {
		named, nameless := inboxLines(t, tc.body, tc.pre)
		if named != tc.named {
			t.Errorf("%s: preheader for Ada Reader %q, want %q", tc.name, named, tc.named)
		}
		if nameless != tc.nameless {
			t.Errorf("%s: preheader for a reader without a name %q, want %q", tc.name, nameless, tc.nameless)
		}
	}
}
