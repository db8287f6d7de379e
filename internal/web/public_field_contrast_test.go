package web

import (
	"regexp"
	"strings"
	"testing"
)

// cssVars are the custom properties of a rule's declarations,
// "--card:#fff;--line:#d9dde4", by name, their colours in #rrggbb.
func cssVars(decls string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(decls, ";") {
		name, value, ok := strings.Cut(d, ":")
		if !ok || !strings.HasPrefix(name, "--") {
			continue
		}
		if len(value) == 4 && value[0] == '#' { // #fff
			value = "#" + strings.Repeat(value[1:2], 2) + strings.Repeat(value[2:3], 2) + strings.Repeat(value[3:4], 2)
		}
		out[name] = value
	}
	return out
}

// The fields a reader types in or picks from on the public pages have a
// border of 3:1 at least against their background, the card's, in light
// and dark mode (WCAG 1.4.11): in the cards' own line colour it was
// 1.36:1 and 1.41:1, all but invisible. The cards keep their faint line.
// So have the unticked checkboxes and radios, which were the browser's,
// faint in dark mode (TestPublicUntickedBoxesStandOutInDarkMode measures
// them as drawn).
func TestPublicFieldBordersContrast(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.do("GET", "/subscribe", "", "")
	m := layoutStyle.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("GET /subscribe = %d, with no stylesheet:\n%s", w.Code, w.Body)
	}
	css := m[1]
	light := regexp.MustCompile(`(?m)^:root\{([^}]*)\}`).FindStringSubmatch(css)
	dark := regexp.MustCompile(`@media \(prefers-color-scheme:dark\)\{:root\{([^}]*)\}`).FindStringSubmatch(css)
	fields := regexp.MustCompile(`(?m)^input\[type=email\],input\[type=text\],input\[type=password\],select,textarea\{([^}]*)\}`).FindStringSubmatch(css)
	card := regexp.MustCompile(`(?m)^\.card\{([^}]*)\}`).FindStringSubmatch(css)
	if light == nil || dark == nil || fields == nil || card == nil {
		t.Fatalf("the stylesheet lacks the colours, the fields' rule or the card's:\n%s", css)
	}
	border := regexp.MustCompile(`(?:^|;)border:1px solid var\((--[a-z-]+)\)`).FindStringSubmatch(fields[1])
	background := regexp.MustCompile(`(?:^|;)background:var\((--[a-z-]+)\)`).FindStringSubmatch(fields[1])
	if border == nil || background == nil {
		t.Fatalf("the fields' rule sets no border and background from the colours: %s", fields[1])
	}
	unticked := regexp.MustCompile(`(?m)^\.check input:not\(:checked\)\{([^}]*)\}`).FindStringSubmatch(css)
	if unticked == nil || !strings.Contains(unticked[1], "appearance:none") {
		t.Fatalf("the stylesheet does not draw the unticked boxes' edge itself:\n%s", css)
	}
	boxBorder := regexp.MustCompile(`(?:^|;)border:2px solid var\((--[a-z-]+)\)`).FindStringSubmatch(unticked[1])
	boxBackground := regexp.MustCompile(`(?:^|;)background:var\((--[a-z-]+)\)`).FindStringSubmatch(unticked[1])
	if boxBorder == nil || boxBackground == nil {
		t.Fatalf("the unticked boxes' rule sets no border and background from the colours: %s", unticked[1])
	}
	if !strings.Contains(card[1], "border:1px solid var(--line)") {
		t.Errorf("the card's edge is no longer its own faint line: %s", card[1])
	}
	lightVars := cssVars(light[1])
	for _, mode := range []struct {
		name string
		vars map[string]string
	}{{"light", lightVars}, {"dark", cssVars(dark[1])}} {
		colour := func(name string) string {
			if v, ok := mode.vars[name]; ok {
				return v
			}
			return lightVars[name] // the dark mode keeps what it does not set
		}
		b, bg := colour(border[1]), colour(background[1])
		if got := contrast(t, b, bg); got < 3 {
			t.Errorf("%s mode: the fields' border %s (%s) on %s (%s) is %.2f:1, want 3:1 at least", mode.name, b, border[1], bg, background[1], got)
		}
		// An unticked box's edge stands against its own inside and the
		// card around it, in both of which its background is.
		b, bg, card := colour(boxBorder[1]), colour(boxBackground[1]), colour("--card")
		for _, on := range []string{bg, card} {
			if got := contrast(t, b, on); got < 3 {
				t.Errorf("%s mode: an unticked box's border %s (%s) on %s is %.2f:1, want 3:1 at least", mode.name, b, boxBorder[1], on, got)
			}
		}
	}
}
