package templates

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// preheaderPad is one group of the run that pads a preheader: a combining
// grapheme joiner, a zero-width non-joiner and a no-break space.
const preheaderPad = "\u034f\u200c\u00a0"

// Every mail with a preheader pads it, inside its hidden <div>, with a
// run of invisible characters, so that an inbox's preview line ends with
// the preheader: it ran on into the masthead and the body ("Three things
// to do this weekend The Harbour Times Hi …"). The run is in the HTML
// part alone: the text part is as it was, with none of its characters.
func TestPreheaderIsPadded(t *testing.T) {
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	brand := DefaultBrand()
	brand.Name, brand.URL, brand.PostalAddress = "Harbour Gazette", "https://news.example", "1 Quay Street\nPortsmouth"
	_, digest := renderMail(t, tmpl, "digest", digestMailData(brand, "2 new stories", "1–2 December 2026",
		digestArticleData("https://news.example/ferry", "Ferry timetable", "2 December 2026", "Winter sailings."),
		digestArticleData("https://news.example/quay", "Quay reopens", "1 December 2026", "The quay is open.")))
	confirmed := confirmMailData(brand)
	confirmed["Confirmed"], confirmed["Name"], confirmed["Keeps"] = true, "Ada", []string{"Weekend Culture"}
	confirmed["PreferencesURL"], confirmed["UnsubscribeURL"] = "https://news.example/preferences/P", "https://news.example/unsubscribe/U"
	for _, tc := range []struct {
		name, mail string
		data       map[string]any
		preheader  string
	}{
		{"campaign", "campaign", campaignMailData(brand, `<p>Hello, <a href="https://news.example/">read on</a>.</p>`), "The ferry's winter timetable"},
		{"digest", "campaign", campaignMailData(brand, digest), "The ferry's winter timetable"},
		{"confirm", "confirm", confirmMailData(brand), "One click to confirm your subscription to Harbour Gazette."},
		{"confirm a new list", "confirm", confirmed, "One click to confirm your subscription to Harbour Gazette."},
		{"already", "already", alreadyMailData(brand), "Your links to your preferences and to unsubscribe from Harbour Gazette."},
	} {
		plain, doc := renderMail(t, tmpl, tc.mail, tc.data)
		root, err := html.Parse(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		body := find(root, func(n *html.Node) bool { return n.Data == "body" })
		div := find(body, func(n *html.Node) bool { return n.Type == html.ElementNode && n != body })
		if div == nil || div.Data != "div" || !strings.Contains(attr(div, "style"), "display:none") {
			t.Errorf("%s: the body does not open with the hidden preheader: %v", tc.name, div)
			continue
		}
		got := rawText(div)
		pad, ok := strings.CutPrefix(got, tc.preheader)
		if !ok {
			t.Errorf("%s: the hidden preheader is %q, want %q first", tc.name, got, tc.preheader)
			continue
		}
		if n := strings.Count(pad, preheaderPad); pad != strings.Repeat(preheaderPad, n) || n < 90 {
			t.Errorf("%s: after the preheader %q, want a run of at least 90 %q", tc.name, pad, preheaderPad)
		}
		if strings.ContainsAny(plain, preheaderPad) || strings.Contains(plain, "&#847;") || strings.Contains(plain, "&zwnj;") {
			t.Errorf("%s: the text part holds the padding:\n%s", tc.name, plain)
		}
	}
}

// rawText is the text in n, as text is without trimming it: the padding
// ends with a no-break space, which strings.TrimSpace takes off.
func rawText(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
