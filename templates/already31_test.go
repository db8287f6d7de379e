package templates

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// alreadyData is the data the Confirmer gives mail/already
// (subscribers.AlreadyMail), as a map: known stands for its TextKnown,
// the sentence before the address, which subscribers wraps as prose
// (subscribers.TestAlreadyTextReadsAsProse).
func alreadyData(brand Brand, email, known string, lists ...string) map[string]any {
	return map[string]any{
		"Publisher": brand.Name, "Email": email, "Lists": lists, "BaseURL": "https://news.example", "Brand": brand,
		"TextKnown":      known,
		"PreferencesURL": "https://news.example/preferences/PREFTOKEN",
		"UnsubscribeURL": "https://news.example/unsubscribe/UNSUBTOKEN",
	}
}

// The already-subscribed mail, which a confirmed reader gets for signing
// up again for lists they are on, has both parts, built as the
// confirmation is: the preheader first in the body, the masthead, one
// card with a heading, the publication's footer with its postal address
// and credit. It names the lists and the address, and carries the
// reader's preferences link (a button and a footer link) and unsubscribe
// link (in the text and the footer), each on a line of its own in the
// text part, which holds no markup.
func TestAlready31MailHasBothPartsAndTheLinks(t *testing.T) {
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	brand := DefaultBrand()
	brand.Name, brand.URL, brand.PostalAddress = "Harbour Gazette", "https://news.example", "1 Quay Street\nPortsmouth"
	known := "You are already subscribed to Harbour Gazette (Daily News,\nWeekend Culture) at this address:"
	plain, doc := renderMail(t, tmpl, "already", alreadyData(brand, "ada@example.com", known, "Daily News", "Weekend Culture"))
	for _, want := range []string{
		"Hello,\n\n" + known + "\nada@example.com\n",
		"\nChange your lists or details:\n  https://news.example/preferences/PREFTOKEN\n",
		"\nUnsubscribe from everything:\n  https://news.example/unsubscribe/UNSUBTOKEN\n",
		"ignore this mail: nothing has changed.\n",
		"\n-- \nHarbour Gazette\nhttps://news.example\n1 Quay Street\nPortsmouth\n\nSent with Bulletin\n",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("text part lacks %q:\n%s", want, plain)
		}
	}
	if strings.ContainsAny(plain, "<>") {
		t.Errorf("text part holds markup:\n%s", plain)
	}
	for _, line := range strings.Split(plain, "\n") {
		if len([]rune(line)) > 72 && !strings.Contains(line, "https://") {
			t.Errorf("text line over 72 columns: %q", line)
		}
	}

	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	body := find(root, func(n *html.Node) bool { return n.Data == "body" })
	first := find(body, func(n *html.Node) bool { return n.Type == html.ElementNode && n != body })
	if first == nil || first.Data != "div" || !strings.Contains(attr(first, "style"), "display:none") ||
		!strings.HasPrefix(text(first), "Your links to your preferences and to unsubscribe from Harbour Gazette."+preheaderPad) {
		t.Errorf("the body does not open with the hidden preheader: %v", first)
	}
	if h := find(root, func(n *html.Node) bool { return n.Data == "h1" }); h == nil || text(h) != "You are already subscribed" {
		t.Error("no heading")
	}
	if find(root, func(n *html.Node) bool { return matchesCompound(n, "td.masthead") }) == nil {
		t.Error("no masthead")
	}
	hrefs := map[string]int{}
	walk(root, func(n *html.Node) {
		if n.Data == "a" {
			hrefs[attr(n, "href")]++
		}
	})
	if hrefs["https://news.example/preferences/PREFTOKEN"] != 2 || hrefs["https://news.example/unsubscribe/UNSUBTOKEN"] != 2 {
		t.Errorf("links %v: want the preferences and unsubscribe links twice each (body and footer)", hrefs)
	}
	button := find(root, func(n *html.Node) bool { return matchesCompound(n, "a.button") })
	if button == nil || attr(button, "href") != "https://news.example/preferences/PREFTOKEN" || text(button) != "Manage your preferences" {
		t.Errorf("the button is not the preferences link: %v", button)
	}
	foot := find(root, func(n *html.Node) bool { return matchesCompound(n, "td.foot") })
	if foot == nil {
		t.Fatal("no footer")
	}
	for _, want := range []string{"Harbour Gazette · https://news.example", "1 Quay Street", "Portsmouth", "Sent with Bulletin", "Preferences · Unsubscribe"} {
		if !strings.Contains(text(foot), want) {
			t.Errorf("footer lacks %q: %q", want, text(foot))
		}
	}
	card := find(root, func(n *html.Node) bool { return matchesCompound(n, "td.card") })
	if card == nil || !strings.Contains(text(card), "You are already subscribed to Harbour Gazette (Daily News, Weekend Culture) at ada@example.com") {
		t.Error("the card does not name the lists and the address")
	}
}

// A reader who has left every list since gets a mail that says they are on
// none, not that they are subscribed to nothing in brackets; and an
// address is text in the HTML part, escaped, whatever it holds.
func TestAlready31MailOnNoListAndEscapes(t *testing.T) {
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	brand := DefaultBrand()
	brand.Name = "Harbour Gazette"
	const addr = `z+o'"&<x>@example.com`
	known := "This address is already known to Harbour Gazette, though it is on no list\nat the moment:"
	text, doc := renderMail(t, tmpl, "already", alreadyData(brand, addr, known))
	if !strings.Contains(text, known+"\n"+addr+"\n") ||
		strings.Contains(text, "()") {
		t.Errorf("text part:\n%s", text)
	}
	if strings.Contains(doc, "<x>") || !strings.Contains(doc, "&lt;x&gt;@example.com is already known to Harbour Gazette, though it is on no list") ||
		strings.Contains(doc, "()") {
		t.Errorf("HTML part does not escape the address or say the reader is on no list:\n%s", doc)
	}
}
