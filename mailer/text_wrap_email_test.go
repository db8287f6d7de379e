package mailer_test

import (
	"html/template"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
	"github.com/bulletinhq/bulletin/templates"
)

// Addresses of 60 and 72 characters, as readers sign up with; and one
// longer than a line, which can only stand on a line of its own.
const (
	address60 = "alexandra.papadopoulou1@harbour-gazette-readers-club.example"
	address72 = "konstantina.papadopoulou.subscriber@mail.harbour-gazette-readers.example"
	address90 = "konstantina.alexandra.papadopoulou.reader@mail.harbour-gazette.readers-club.example"
)

// TestTextPartWrapsAroundTheReadersAddress: a paragraph holding the
// reader's address, marked as campaigns marks one holding a personal
// field, is wrapped again for a reader whose address makes one of its
// lines too long, with or without a name, so that no line of the text
// part, footer included, runs past 72 columns but one holding a single
// word: an address is never broken. The words, prefixes and hard line
// breaks stay as they were.
func TestTextPartWrapsAroundTheReadersAddress(t *testing.T) {
	if len(address60) != 60 || len(address72) != 72 || len(address90) <= 72 {
		t.Fatalf("addresses of %d, %d and %d characters", len(address60), len(address72), len(address90))
	}
	mk := mailer.NewMarkers()
	lm, end, email := mk.LineMark(), mk.ParagraphEnd(), mk.Of(mailer.Email)
	fallback := mk.Of(mailer.IfName) + mk.Of(mailer.Name) + mk.Of(mailer.ElseName) + "reader" + mk.Of(mailer.EndName)
	// The body as campaigns renders it: wrapped at 72 with the fields
	// measured as nothing (a fallback as its text), each paragraph holding
	// a field marked.
	body := lm + "Dear " + fallback + ", you get this at " + email + " because you joined the Harbour Gazette's\n" +
		"daily news. Write to the desk from " + email + " and we answer within the day." + end + "\n" +
		"\n" +
		"- " + lm + "Your address, " + email + ", as you typed it on the form: change it on the\n" +
		"  preferences page." + end + "\n" +
		"- A second item, short.\n" +
		"\n" +
		"> " + lm + "Sent to " + email + " by the harbour master's office,\n" +
		"> " + lm + "on behalf of the ferry company." + end + "\n"
	cm := campaignMessage(t, mk, body, "<p>Dear "+fallback+", you get this at "+email+".</p>")

	for _, p := range []mailer.Personal{
		{Email: address60},
		{Email: address60, Name: "Ann"},
		{Email: address72, Name: "Alexandra-Konstantina Papadopoulou"},
		{Email: address90},
	} {
		p.Unsubscribe, p.Preferences = "AAAAAAAAAAoAAAAAAtIZiSc98AkLR25Qr6karw", "AAAAAAAAAAoAAAAAAtIZiSc98AkLR25Qr6karw"
		raw, err := cm.Compose(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(parse(t, raw).text, "\r\n", "\n")
		checkWidth(t, p.Email, got)
		want := strings.ReplaceAll(mk.Fill(body, p, false), "\r\n", "\n")
		if diff := cmp.Diff(words(want), words(got[:strings.Index(got, "\n-- \n")])); diff != "" {
			t.Errorf("%s: the words differ from those wrapped once (-want +got):\n%s", p.Email, diff)
		}
		if n := strings.Count(got, p.Email); n != 4 {
			t.Errorf("%s: the address is whole %d times, want 4:\n%s", p.Email, n, got)
		}
		for _, s := range []string{
			"\n- Your address,", "\n  ", "\n- A second item, short.\n", // the list's bullet and indent
			"office,\n> on behalf", // the hard line break, and the quote's marks
		} {
			if !strings.Contains(got, s) {
				t.Errorf("%s: the text part lacks %q:\n%s", p.Email, s, got)
			}
		}
	}
}

// TestConfirmationTextFitsTheReadersAddress: the confirmation's text
// part, composed as subscribers composes it around markers, keeps to 72
// columns for a long address: the address has a line of its own.
func TestConfirmationTextFitsTheReadersAddress(t *testing.T) {
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	mk := mailer.NewMarkers()
	brand := templates.DefaultBrand()
	brand.URL = "https://news.example"
	text, html, err := tmpl.Mail("confirm", subscribers.ConfirmMail{
		Email: mk.Of(mailer.Email), Lists: []string{"Daily News", "Weekly Round-up"}, BaseURL: brand.URL,
		ConfirmURL: brand.URL + "/confirm/" + mk.Of(mailer.Link), Publisher: "Harbour Gazette", Brand: brand,
	})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{Markers: mk, Subject: "Confirm your subscription to Harbour Gazette",
		From: &mail.Address{Address: "news@news.example"}, Text: text, HTML: html})
	if err != nil {
		t.Fatal(err)
	}
	for _, address := range []string{address60, address72, address90} {
		raw, err := cm.Compose(nil, mailer.Personal{Email: address, Link: "sNqATtnTZmQvyIzaRq2qpyukIz6fB2cOff1M"})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(parse(t, raw).text, "\r\n", "\n")
		checkWidth(t, address, got)
		if !strings.Contains(got, "\n"+address+"\n") {
			t.Errorf("%s: the address is not on a line of its own:\n%s", address, got)
		}
	}
}

// campaignMessage composes a campaign of body, a text part's as campaigns
// renders it, and html in the mail templates, as campaigns wraps them.
func campaignMessage(t *testing.T, mk mailer.Markers, body, html string) *mailer.CampaignMessage {
	t.Helper()
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	brand := templates.DefaultBrand()
	brand.Name, brand.URL, brand.PostalAddress = "Harbour Gazette", "https://news.example", "1 Quay Street\nPortsmouth PO1 2AB"
	text, htmlPart, err := tmpl.Mail("campaign", map[string]any{
		"Subject": "Winter", "Preheader": "Winter", "Body": template.HTML(html), "Text": body,
		"Publisher": brand.Name, "Brand": brand, "ListName": "Daily News",
		"UnsubscribeURL": brand.URL + "/unsubscribe/" + mk.Of(mailer.Unsubscribe),
		"PreferencesURL": brand.URL + "/preferences/" + mk.Of(mailer.Preferences),
	})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{Markers: mk, Subject: "Winter",
		From: &mail.Address{Address: "news@news.example"}, Text: text, HTML: htmlPart})
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

// checkWidth fails t for a line of text over 72 columns that holds more
// than one word after its quote marks, bullets and indent.
func checkWidth(t *testing.T, who, text string) {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(l); n > mailer.TextWidth && len(strings.Fields(strings.TrimLeft(l, "-> "))) > 1 {
			t.Errorf("%s: line %d is %d columns: %q", who, i+1, n, l)
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
