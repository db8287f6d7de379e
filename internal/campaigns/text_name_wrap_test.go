package campaigns_test

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/mailer"
)

// TestTextPartWrapsAroundTheReadersName: the text part is wrapped once,
// without the reader's name, which each message fills in. A paragraph
// holding the name is wrapped again for a reader whose name makes one of
// its lines too long, so no line runs past 72 columns but one holding a
// single word too long for any (a URL); its prefixes, hard line breaks
// and words stay as they were, and code is never wrapped. A reader
// without a name, or with a name that fits, gets the text as it was
// wrapped, byte for byte.
func TestTextPartWrapsAroundTheReadersName(t *testing.T) {
	const (
		prose = "thanks for reading the Harbour Gazette this winter, and for every letter about the ferry timetable."
		url   = "https://news.example/2026/11/the-long-story-of-the-ferry-timetable-and-the-winter-crossings"
	)
	body := "Hi {{ .Name }}, " + prose + "\n\n" +
		"Dear {{ .Name | default \"reader\" }}, " + prose + "\n\n" +
		"- Hello {{ .Name }}, " + prose + "\n- A second item, short.\n\n" +
		"> Hello {{ .Name }},\\\n> " + prose + "\n\n" +
		"{{ .Name }}, read it all at " + url + " before Friday.\n\n" +
		"    code for {{ .Name }} is never wrapped, however long the line that holds it may run\n\n" +
		"A paragraph without the name: " + prose + "\n"
	mk := mailer.NewMarkers()
	html, text, err := campaigns.Render(body, mk)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{Markers: mk, Subject: "Winter",
		From: &mail.Address{Address: "news@news.example"}, Text: text, HTML: html})
	if err != nil {
		t.Fatal(err)
	}
	textFor := func(p mailer.Personal) string {
		t.Helper()
		raw, err := cm.Compose(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range bytes.Split(raw, []byte("\r\n")) {
			if len(l) > 76 {
				t.Errorf("%q: line %d of the message is %d octets, over quoted-printable's 76", p.Name, i+1, len(l))
			}
		}
		return mailtest.Parse(t, raw).Text
	}
	asFilled := func(p mailer.Personal) string { return strings.ReplaceAll(mk.Fill(text, p, false), "\r\n", "\n") }

	for _, name := range []string{"", "Al"} {
		p := mailer.Personal{Email: "ann@example.org", Name: name}
		if diff := cmp.Diff(asFilled(p), textFor(p)); diff != "" {
			t.Errorf("reader named %q: the text part is not the one wrapped once (-want +got):\n%s", name, diff)
		}
	}

	for _, name := range []string{"Alexandra-Konstantina Papadopoulou", strings.Repeat("Bartholomew ", 8) + "Zoë"} {
		p := mailer.Personal{Email: "ann@example.org", Name: name}
		got, once := textFor(p), asFilled(p)
		for _, l := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(l); n > 72 && len(strings.Fields(strings.TrimLeft(l, "-> "))) > 1 && !strings.HasPrefix(l, "    code") {
				t.Errorf("%q: a line of %d columns: %q", name, n, l)
			}
		}
		if diff := cmp.Diff(words(once), words(got)); diff != "" {
			t.Errorf("%q: the words differ from those wrapped once (-want +got):\n%s", name, diff)
		}
		for _, want := range []string{
			"\n> Hello ", name[strings.LastIndexByte(name, ' ')+1:] + ",\n> thanks", // the hard line break kept, and the quote's marks
			"\n- Hello ", "\n  ", "\n- A second item, short.\n", // the list's bullet and indent
			"\n" + url + "\n", // a URL too long for a line alone on its own
			"\n    code for " + name + " is never wrapped, however long the line that holds it may run\n",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%q: the text part lacks %q:\n%s", name, want, got)
			}
		}
		if strings.Contains(got, "reader") {
			t.Errorf("%q: the fallback's text is in a named reader's text part:\n%s", name, got)
		}
	}
}

// words are the words of a text part's lines, without their quote marks,
// bullets and indents.
func words(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		out = append(out, strings.Fields(strings.TrimLeft(l, "-> "))...)
	}
	return out
}
