package templates

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestMailDarkModeCoversThePage: in every HTML mail, the dark-mode rules
// (prefers-color-scheme, which Apple Mail and iOS Mail apply) give a dark
// background, !important to beat the inline one, to the <body>, to the
// outer table around the card (clients that drop the <body> show that)
// and to every other element with a light background of its own; so the
// page turns dark with the card, never a dark card on a white page or a
// white card on a dark one. Each mail also says it has a dark mode of its
// own (the color-scheme and supported-color-schemes meta tags).
func TestMailDarkModeCoversThePage(t *testing.T) {
	for name, doc := range renderEveryHTMLMail(t) {
		t.Run(name, func(t *testing.T) {
			root, err := html.Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			for _, meta := range []string{"color-scheme", "supported-color-schemes"} {
				if c := metaContent(root, meta); !strings.Contains(c, "light") || !strings.Contains(c, "dark") {
					t.Errorf(`<meta name=%q> is %q, want "light dark"`, meta, c)
				}
			}
			dark := darkBackgrounds(styleText(root))
			body := find(root, func(n *html.Node) bool { return n.Data == "body" })
			outer := find(body, func(n *html.Node) bool { return n.Data == "table" })
			if body == nil || outer == nil {
				t.Fatal("no <body> or no table in it")
			}
			light := []*html.Node{body, outer}
			walk(body, func(n *html.Node) {
				if n != body && n != outer && isLight(inlineBackground(n)) {
					light = append(light, n)
				}
			})
			for _, n := range light {
				if !covered(n, dark) {
					t.Errorf("<%s class=%q style=%q>: no dark-mode rule gives it a dark background", n.Data, attr(n, "class"), attr(n, "style"))
				}
			}
		})
	}
}

// renderEveryHTMLMail renders each HTML mail as Bulletin sends it: a
// campaign, a digest (its body in the campaign's frame), a confirmation,
// the already-subscribed mail and the test mail.
func renderEveryHTMLMail(t *testing.T) map[string]string {
	return renderEveryHTMLMailIn(t, DefaultAccent)
}

// renderEveryHTMLMailIn is renderEveryHTMLMail with the brand's accent
// colour accent.
func renderEveryHTMLMailIn(t *testing.T, accent string) map[string]string {
	t.Helper()
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	brand := DefaultBrand()
	brand.Name, brand.URL, brand.PostalAddress = "Harbour Gazette", "https://news.example", "1 Quay Street\nPortsmouth"
	brand.Accent = accent
	ferry := digestArticleData("https://news.example/ferry", "Ferry timetable", "2 December 2026", "Winter sailings.")
	ferry["ImageURL"], ferry["ImageAlt"], ferry["ImageWidth"], ferry["ImageHeight"] = "https://news.example/ferry.jpg", "The ferry", 536, 300
	_, digest := renderMail(t, tmpl, "digest", digestMailData(brand, "2 new stories", "1–2 December 2026",
		ferry, digestArticleData("https://news.example/quay", "Quay reopens", "1 December 2026", "The quay is open.")))
	out := map[string]string{}
	for name, data := range map[string]any{
		"campaign": campaignMailData(brand, `<p>Hello, <a href="https://news.example/">read on</a>.</p>`),
		"digest":   campaignMailData(brand, digest),
		"confirm":  confirmMailData(brand),
		"already":  alreadyMailData(brand),
		"test":     map[string]any{"Brand": brand, "Message": "Hello"},
	} {
		mail := name
		if name == "digest" {
			mail = "campaign"
		}
		_, out[name] = renderMail(t, tmpl, mail, data)
	}
	return out
}

// A cssRule is a rule of the dark-mode media query that gives a dark
// background with !important: its selectors, each a list of compound
// selectors (descendant combinators only).
type cssRule [][]string

var (
	darkQuery   = regexp.MustCompile(`@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)\s*\{`)
	cssRuleRE   = regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`)
	backgroundR = regexp.MustCompile(`(?i)background(?:-color)?\s*:\s*(#[0-9a-f]{3,6})\s*!important`)
)

// blockEnd is the index just past the "}" that closes the block whose
// body starts at start (just after its "{") in css.
func blockEnd(css string, start int) int {
	depth, end := 1, start
	for ; end < len(css) && depth > 0; end++ {
		switch css[end] {
		case '{':
			depth++
		case '}':
			depth--
		}
	}
	return end
}

// darkBackgrounds reads the rules inside each dark-mode media query of
// css that give a dark background with !important.
func darkBackgrounds(css string) []cssRule {
	var rules []cssRule
	for _, loc := range darkQuery.FindAllStringIndex(css, -1) {
		end := blockEnd(css, loc[1])
		for _, m := range cssRuleRE.FindAllStringSubmatch(css[loc[1]:end-1], -1) {
			bg := backgroundR.FindStringSubmatch(m[2])
			if bg == nil || luminance(expandHex(bg[1])) > 0.05 {
				continue
			}
			var r cssRule
			for _, sel := range strings.Split(m[1], ",") {
				r = append(r, strings.Fields(sel))
			}
			rules = append(rules, r)
		}
	}
	return rules
}

// covered says a selector of one of rules matches n.
func covered(n *html.Node, rules []cssRule) bool {
	for _, r := range rules {
		for _, sel := range r {
			if matches(n, sel) {
				return true
			}
		}
	}
	return false
}

// matches says n matches the descendant selector sel, whose compound
// selectors are a tag name, classes or both.
func matches(n *html.Node, sel []string) bool {
	if len(sel) == 0 || !matchesCompound(n, sel[len(sel)-1]) {
		return false
	}
	rest := sel[:len(sel)-1]
	for a := n.Parent; a != nil && len(rest) > 0; a = a.Parent {
		if matchesCompound(a, rest[len(rest)-1]) {
			rest = rest[:len(rest)-1]
		}
	}
	return len(rest) == 0
}

func matchesCompound(n *html.Node, compound string) bool {
	if n.Type != html.ElementNode {
		return false
	}
	parts := strings.Split(compound, ".")
	if parts[0] != "" && parts[0] != n.Data {
		return false
	}
	classes := strings.Fields(attr(n, "class"))
	for _, c := range parts[1:] {
		found := false
		for _, have := range classes {
			found = found || have == c
		}
		if !found {
			return false
		}
	}
	return true
}

var inlineBackgroundRE = regexp.MustCompile(`(?i)(?:^|;)\s*background(?:-color)?\s*:\s*(#[0-9a-f]{3,6})`)

// inlineBackground is n's background colour from its style or bgcolor
// attribute, "#rrggbb", or "".
func inlineBackground(n *html.Node) string {
	if m := inlineBackgroundRE.FindStringSubmatch(attr(n, "style")); m != nil {
		return expandHex(m[1])
	}
	if c := attr(n, "bgcolor"); strings.HasPrefix(c, "#") {
		return expandHex(c)
	}
	return ""
}

// isLight says c, "#rrggbb", is a light background.
func isLight(c string) bool { return c != "" && luminance(c) > 0.5 }

// expandHex is c as "#rrggbb", lower case.
func expandHex(c string) string {
	c = strings.ToLower(c)
	if len(c) == 4 {
		return "#" + strings.Repeat(c[1:2], 2) + strings.Repeat(c[2:3], 2) + strings.Repeat(c[3:4], 2)
	}
	return c
}

// styleText is the text of the document's <style> elements.
func styleText(root *html.Node) string {
	var b strings.Builder
	walk(root, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "style" && n.FirstChild != nil {
			b.WriteString(n.FirstChild.Data)
		}
	})
	return b.String()
}

func metaContent(root *html.Node, name string) string {
	m := find(root, func(n *html.Node) bool { return n.Data == "meta" && attr(n, "name") == name })
	if m == nil {
		return ""
	}
	return attr(m, "content")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// walk calls f for n and each element under it, in document order.
func walk(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

// find is the first element under root, root included, that ok holds for.
func find(root *html.Node, ok func(*html.Node) bool) *html.Node {
	var found *html.Node
	if root == nil {
		return nil
	}
	walk(root, func(n *html.Node) {
		if found == nil && ok(n) {
			found = n
		}
	})
	return found
}
