package mailtest

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// LangOf is the language a screen reader reads the first shown text of
// the HTML src holding text in: the lang of its nearest element that has
// one, "" when none has. The head and hidden text (a mail's preheader,
// display:none) are passed over, as a screen reader passes them over. It
// fails the test when src has no such text.
func LangOf(t testing.TB, src, text string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != nil || n.Type == html.ElementNode && (n.Data == "head" || hidden(n)) {
			return
		}
		if n.Type == html.TextNode && strings.Contains(n.Data, text) {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		t.Fatalf("no text %q in:\n%s", text, src)
	}
	for n := found.Parent; n != nil; n = n.Parent {
		for _, a := range n.Attr {
			if a.Key == "lang" {
				return a.Val
			}
		}
	}
	return ""
}

// hidden reports whether n is not shown, as a mail's preheader is not.
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "style" && strings.Contains(strings.ReplaceAll(a.Val, " ", ""), "display:none") {
			return true
		}
	}
	return false
}
