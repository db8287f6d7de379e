package templates

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// darkCard is the card's background in dark mode (_dark_mode.html).
const darkCard = "#1f2937"

var (
	inlineColorRE  = regexp.MustCompile(`(?i)(?:^|;)\s*color\s*:\s*(#[0-9a-f]{3,6})`)
	inlineBorderRE = regexp.MustCompile(`(?i)border(?:-top|-bottom)?\s*:[^;]*?(#[0-9a-f]{3,6})`)
	darkColorR     = regexp.MustCompile(`(?i)(?:^|[;\s])color\s*:\s*(#[0-9a-f]{3,6})\s*!important`)
	darkBorderR    = regexp.MustCompile(`(?i)border(?:-top)?-color\s*:\s*(#[0-9a-f]{3,6})\s*!important`)
)

// contrast is the WCAG contrast ratio of two "#rrggbb" colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a)+0.05, luminance(b)+0.05
	return max(la, lb) / min(la, lb)
}

// darkRules reads the rules inside the dark-mode media queries of css
// whose declarations re matches with !important: each rule's selectors
// and the colour it gives.
func darkRules(css string, re *regexp.Regexp) map[string][]cssRule {
	rules := map[string][]cssRule{}
	for _, loc := range darkQuery.FindAllStringIndex(css, -1) {
		end := blockEnd(css, loc[1])
		for _, m := range cssRuleRE.FindAllStringSubmatch(css[loc[1]:end-1], -1) {
			c := re.FindStringSubmatch(m[2])
			if c == nil {
				continue
			}
			var r cssRule
			for _, sel := range strings.Split(m[1], ",") {
				r = append(r, strings.Fields(sel))
			}
			rules[expandHex(c[1])] = append(rules[expandHex(c[1])], r)
		}
	}
	return rules
}

// darkColourOf is the colour the first dark rule matching n gives it, or
// "" when none does.
func darkColourOf(n *html.Node, rules map[string][]cssRule) string {
	for c, rs := range rules {
		if covered(n, rs) {
			return c
		}
	}
	return ""
}

// TestMailDarkModeTextReadsOnTheCard: in every HTML mail, text inside the
// card with a colour of its own (a digest's list line, dates and bylines,
// inline greys) reads on the dark card in dark mode, at WCAG AA (4.5:1):
// either its own colour does, or a dark-mode rule, !important to beat the
// inline one, gives it one that does. A divider's light border is given
// a dark one, so that it stays a faint line rather than a bright one.
func TestMailDarkModeTextReadsOnTheCard(t *testing.T) {
	for name, doc := range renderEveryHTMLMail(t) {
		t.Run(name, func(t *testing.T) {
			root, err := html.Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			css := styleText(root)
			colours, borders := darkRules(css, darkColorR), darkRules(css, darkBorderR)
			card := find(root, func(n *html.Node) bool { return matchesCompound(n, ".card") })
			if card == nil {
				t.Fatal("no .card")
			}
			walk(card, func(n *html.Node) {
				if n.Type != html.ElementNode {
					return
				}
				style := attr(n, "style")
				if m := inlineColorRE.FindStringSubmatch(style); m != nil && contrast(expandHex(m[1]), darkCard) < 4.5 {
					got := darkColourOf(n, colours)
					if got == "" || contrast(got, darkCard) < 4.5 {
						t.Errorf("<%s class=%q style=%q>: in dark mode its colour %s reads at %.2f:1 on the card, and no dark rule gives it one at 4.5:1 (got %q)",
							n.Data, attr(n, "class"), style, m[1], contrast(expandHex(m[1]), darkCard), got)
					}
				}
				if m := inlineBorderRE.FindStringSubmatch(style); m != nil && isLight(expandHex(m[1])) {
					if got := darkColourOf(n, borders); got == "" || contrast(got, darkCard) > 2 {
						t.Errorf("<%s class=%q style=%q>: its light border %s stays bright in dark mode (dark rule %q)", n.Data, attr(n, "class"), style, m[1], got)
					}
				}
			})
		})
	}
}
