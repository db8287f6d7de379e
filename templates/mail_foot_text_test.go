package templates

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// darkPage is the page's background around the card in dark mode
// (_dark_mode.html).
const darkPage = "#111827"

// TestMailFootReadsOnThePage: in every HTML mail, each line of text under
// the card (the footer naming the list, its links, the postal address,
// the small "Sent with Bulletin" credit) reads at 4.5:1 on the grey page
// around the card, and in dark mode, where a dark rule gives it its
// colour, on the dark page.
func TestMailFootReadsOnThePage(t *testing.T) {
	for name, doc := range renderEveryHTMLMail(t) {
		t.Run(name, func(t *testing.T) {
			root, err := html.Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			body := find(root, func(n *html.Node) bool { return n.Data == "body" })
			page := inlineBackground(body)
			if page == "" {
				t.Fatal("the <body> has no background")
			}
			colours := darkRules(styleText(root), darkColorR)
			credit := false
			for _, foot := range findAll(root, func(n *html.Node) bool { return matchesCompound(n, ".foot") }) {
				walk(foot, func(n *html.Node) {
					m := inlineColorRE.FindStringSubmatch(attr(n, "style"))
					if m == nil {
						return
					}
					credit = credit || text(n) == "Sent with Bulletin"
					if c := Contrast(expandHex(m[1]), page); c < 4.5 {
						t.Errorf("<%s>%s</%s>: %s on the page's %s is %.2f:1", n.Data, text(n), n.Data, m[1], page, c)
					}
					dark := darkColourOf(n, colours)
					if dark == "" {
						dark = expandHex(m[1])
					}
					if c := Contrast(dark, darkPage); c < 4.5 {
						t.Errorf("<%s>%s</%s>: in dark mode %s on the page's %s is %.2f:1", n.Data, text(n), n.Data, dark, darkPage, c)
					}
				})
			}
			if !credit {
				t.Error("no credit checked")
			}
		})
	}
}

// findAll is every element under root, root included, that ok holds for.
func findAll(root *html.Node, ok func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) {
		if ok(n) {
			out = append(out, n)
		}
	})
	return out
}

// text is the text inside n, trimmed.
func text(n *html.Node) string {
	var b strings.Builder
	var collect func(*html.Node)
	collect = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			collect(c)
		}
	}
	collect(n)
	return strings.TrimSpace(b.String())
}
