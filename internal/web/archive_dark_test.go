package web

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// archivedDigestAndCampaign runs a digest of the news list and marks it
// sent, and archives a campaign whose Markdown has every element the
// renderer draws a border for. It returns the handler and the two pages.
func archivedDigestAndCampaign(t *testing.T) (digest, campaign string) {
	t.Helper()
	db, h, token := digestServer(t)
	if w := do(t, h, "POST", "/api/v1/digests/run", token, `{"list":"news"}`); w.Code != 201 {
		t.Fatalf("run: %d %s", w.Code, w.Body)
	}
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent' WHERE kind = 'digest'`); err != nil {
		t.Fatal(err)
	}
	body := "Hi {{ .Name | default \"there\" }}, read [the story](https://news.example/bridge).\n\n" +
		"> A quote.\n\n| Day | Closure |\n|---|---|\n| Mon | none |\n\n---\n\n```\ncode\n```\n"
	cid := pastIssue(t, db, "Harbour works this winter", body, "sent", time.Now())
	page := func(path string) string {
		w := do(t, h, "GET", path, "", "")
		if w.Code != 200 {
			t.Fatalf("GET %s: %d\n%s", path, w.Code, w.Body)
		}
		return w.Body.String()
	}
	return page("/archive/1"), page("/archive/" + strconv.FormatInt(cid, 10))
}

// An archived digest kept the colours its mail gives it inline, made for
// a white card: on the page's dark card its links read at 2.4:1, its
// bylines at 3.3:1, and its dividers (and a campaign's table, quote and
// code borders) were bright lines. Every inline colour in the issue must
// now be overridden in dark mode: text and links to at least 4.5:1
// against the dark card, links apart from the text, borders subdued.
// Light mode keeps the inline colours: no rule for the issue outside the
// dark-mode query.
func TestArchiveIssueDarkMode(t *testing.T) {
	digest, campaign := archivedDigestAndCampaign(t)
	for name, page := range map[string]string{"digest": digest, "campaign": campaign} {
		t.Run(name, func(t *testing.T) {
			rules := cssRules(t, page)
			card, fg := darkRootVar(t, rules, "--card"), darkRootVar(t, rules, "--fg")
			var dark []cssRule
			for _, r := range rules {
				if !strings.Contains(r.selector, ".issue") {
					continue
				}
				if !strings.Contains(r.media, "prefers-color-scheme:dark") {
					t.Errorf("rule %q applies in light mode too", r.selector)
					continue
				}
				dark = append(dark, r)
			}
			elems := issueElements(t, page)
			var colours, borders int
			for _, el := range elems {
				if inlineColour.MatchString(el.style) {
					colours++
					c := override(t, dark, el, "color")
					if c == "" {
						t.Errorf("<%s style=%q>: its colour is not overridden in dark mode", el.tag, el.style)
						continue
					}
					if r := contrast(t, c, card); r < 4.5 {
						t.Errorf("<%s style=%q>: %s on the dark card %s is %.2f:1, want at least 4.5:1", el.tag, el.style, c, card, r)
					}
					if el.tag == "a" && strings.EqualFold(c, fg) {
						t.Errorf("<%s style=%q>: links are %s, the colour of the text", el.tag, el.style, c)
					}
				}
				if inlineBorder.MatchString(el.style) {
					borders++
					c := override(t, dark, el, "border-color")
					if c == "" {
						t.Errorf("<%s style=%q>: its border is not overridden in dark mode", el.tag, el.style)
						continue
					}
					if r := contrast(t, c, card); r > 2 || r < 1.2 {
						t.Errorf("<%s style=%q>: border %s on the dark card %s is %.2f:1, want a subdued line (1.2–2:1)", el.tag, el.style, c, card, r)
					}
				}
			}
			if (colours == 0 && name == "digest") || borders == 0 {
				t.Fatalf("found %d coloured and %d bordered elements in the issue: the fixture no longer shows what it tests", colours, borders)
			}
			// A campaign's links take the page's link colour in light
			// mode and no inline one; in dark mode they must still be
			// a colour that reads.
			if c := override(t, dark, element{tag: "a"}, "color"); c == "" || contrast(t, c, card) < 4.5 {
				t.Errorf("the issue's links are %q in dark mode, want a colour at 4.5:1 or more on %s", c, card)
			}
		})
	}
}

// The page's heading repeated the issue's own: a digest's page showed its
// subject as the heading and then the digest's masthead, which names the
// list, the number of stories and their dates again. A digest's masthead
// is now the page's only heading, with when it went out above it; a
// campaign, which has no masthead, keeps its subject as the heading.
func TestArchiveIssueHeading(t *testing.T) {
	digest, campaign := archivedDigestAndCampaign(t)
	h1 := regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
	tests := []struct {
		name, page string
		heading    string // the page's one <h1>
		want       []string
	}{
		{"digest", digest, "1 new story", []string{"<title>News (1 new story): Bridge reopens · ", "Digest sent "}},
		{"campaign", campaign, "Harbour works this winter", []string{"<title>Harbour works this winter · "}},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range h1.FindAllStringSubmatch(tt.page, -1) {
			got = append(got, m[1])
		}
		if len(got) != 1 || got[0] != tt.heading {
			t.Errorf("%s: headings %q, want only %q", tt.name, got, tt.heading)
		}
		for _, s := range tt.want {
			if !strings.Contains(tt.page, s) {
				t.Errorf("%s: page lacks %q", tt.name, s)
			}
		}
	}
}

// A cssRule is one rule of a page's <style> blocks, with the @media
// query it is in ("" for none).
type cssRule struct {
	media, selector string
	decls           map[string]string // property: value, !important kept
}

// cssRules reads the rules of every <style> in page: plain rules and
// rules in @media blocks, which is all the pages hold.
func cssRules(t *testing.T, page string) []cssRule {
	t.Helper()
	var rules []cssRule
	for _, m := range regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page, -1) {
		css := m[1]
		media := ""
		for {
			css = strings.TrimSpace(css)
			if css == "" {
				break
			}
			if strings.HasPrefix(css, "}") { // end of an @media block
				media, css = "", css[1:]
				continue
			}
			open := strings.Index(css, "{")
			if open < 0 {
				t.Fatalf("unparsed CSS: %q", css)
			}
			head := strings.TrimSpace(css[:open])
			if strings.HasPrefix(head, "@media") {
				media, css = strings.ReplaceAll(head, " ", ""), css[open+1:]
				continue
			}
			end := strings.Index(css, "}")
			r := cssRule{media: media, selector: head, decls: map[string]string{}}
			for _, d := range strings.Split(css[open+1:end], ";") {
				if k, v, ok := strings.Cut(d, ":"); ok {
					r.decls[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
			}
			rules = append(rules, r)
			css = css[end+1:]
		}
	}
	return rules
}

// darkRootVar returns the value the layout gives the custom property name
// in dark mode.
func darkRootVar(t *testing.T, rules []cssRule, name string) string {
	t.Helper()
	for _, r := range rules {
		if r.selector == ":root" && strings.Contains(r.media, "prefers-color-scheme:dark") && r.decls[name] != "" {
			return r.decls[name]
		}
	}
	t.Fatalf("no dark-mode %s in the layout", name)
	return ""
}

// An element is an opening tag in the issue's body and its style.
type element struct{ tag, style string }

var (
	styleAttr    = regexp.MustCompile(`\sstyle="([^"]*)"`)
	inlineColour = regexp.MustCompile(`(?:^|;)\s*color:`)
	inlineBorder = regexp.MustCompile(`border[a-z-]*:[^;]*#[0-9a-fA-F]{3,6}`)
)

// issueElements returns the elements of the issue's body, in the page's
// <div class="issue">.
func issueElements(t *testing.T, page string) []element {
	t.Helper()
	_, body, ok := strings.Cut(page, `<div class="issue"`)
	if !ok {
		t.Fatal(`no <div class="issue"> on the page`)
	}
	body, _, _ = strings.Cut(body, `<a href="/subscribe">`)
	var out []element
	for _, m := range regexp.MustCompile(`<([a-z0-9]+)(\s[^>]*)?>`).FindAllStringSubmatch(body, -1) {
		el := element{tag: m[1]}
		if s := styleAttr.FindStringSubmatch(m[2]); s != nil {
			el.style = s[1]
		}
		out = append(out, el)
	}
	return out
}

// issueSelector is the form of selector the archive page's dark rules
// take: ".issue" and then a tag, [style*="…"] tests and :not(tag), each
// optional. The test refuses others rather than guess what they match.
var issueSelector = regexp.MustCompile(`^\.issue ([a-z0-9]*)((?:\[style\*="[^"]*"\])*)((?::not\([a-z0-9]+\))*)$`)

// override returns the value that the last dark rule matching el and
// setting prop with !important gives it, "" for none. Inline styles win
// over any rule without !important, so such rules do not count.
func override(t *testing.T, rules []cssRule, el element, prop string) string {
	t.Helper()
	got := ""
	for _, r := range rules {
		v, ok := r.decls[prop]
		if !ok || !strings.HasSuffix(v, "!important") {
			continue
		}
		for _, sel := range strings.Split(r.selector, ",") {
			if matches(t, strings.TrimSpace(sel), el) {
				got = strings.TrimSpace(strings.TrimSuffix(v, "!important"))
			}
		}
	}
	return got
}

func matches(t *testing.T, sel string, el element) bool {
	t.Helper()
	m := issueSelector.FindStringSubmatch(sel)
	if m == nil {
		t.Fatalf("selector %q: the test does not know how to match it", sel)
	}
	if m[1] != "" && m[1] != el.tag {
		return false
	}
	for _, sub := range regexp.MustCompile(`\[style\*="([^"]*)"\]`).FindAllStringSubmatch(m[2], -1) {
		if !strings.Contains(el.style, sub[1]) {
			return false
		}
	}
	for _, not := range regexp.MustCompile(`:not\(([a-z0-9]+)\)`).FindAllStringSubmatch(m[3], -1) {
		if not[1] == el.tag {
			return false
		}
	}
	return true
}

// contrast is the WCAG 2 contrast ratio of two colours "#rrggbb".
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := relLuminance(t, a), relLuminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func relLuminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q: want #rrggbb", hex)
	}
	var c [3]float64
	for i := range c {
		n, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		v := float64(n) / 255
		if v <= 0.04045 {
			c[i] = v / 12.92
		} else {
			c[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
