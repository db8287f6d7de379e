package templates

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestAccentText: the accent as text reads at 4.5:1 on white; an accent
// that does so already is kept as it is (the default among them, so the
// mail and pages of an install that never chose one do not change), and
// a light one is darkened in its own hue. On the dark card of pages, the
// accent text is left to the CSS mix with white ("") where that reads,
// else a lighter colour that does.
func TestAccentText(t *testing.T) {
	for _, tc := range []struct {
		accent string
		same   bool // AccentText is the accent itself
	}{
		{DefaultAccent, true},
		{"#e11d48", true}, // 4.7:1
		{"#b45309", true},
		{"#000080", true},
		{"#000000", true},
		{"#ffe14d", false}, // the review's yellow, 1.3:1
		{"#0ea5e9", false}, // sky blue, 2.8:1
		{"#00ff00", false},
		{"#ff0000", false}, // 4.0:1: close, still short
		{"#ffffff", false},
		{"#777777", false}, // 4.48:1
	} {
		got := Brand{Accent: tc.accent}.AccentText()
		if c := Contrast(got, "#ffffff"); c < 4.5 {
			t.Errorf("AccentText of %s = %s, %.2f:1 on white, want at least 4.5", tc.accent, got, c)
		}
		if (got == tc.accent) != tc.same {
			t.Errorf("AccentText of %s = %s, want the accent itself: %v", tc.accent, got, tc.same)
		}
		if !tc.same {
			// Darker in the same hue: the hue kept to within a few
			// degrees (rounding to 8 bits moves it a little).
			h0, s0, l0 := hsl(t, tc.accent)
			h1, _, l1 := hsl(t, got)
			if l1 >= l0 || (s0 > 0 && hueDistance(h0, h1) > 4) {
				t.Errorf("AccentText of %s = %s: hue %.0f° to %.0f°, lightness %.2f to %.2f; want the same hue, darker", tc.accent, got, h0, h1, l0, l1)
			}
		}
		if dark := (Brand{Accent: tc.accent}).AccentTextDark(); dark != "" {
			if c := Contrast(dark, darkPageCard); c < 4.5 {
				t.Errorf("AccentTextDark of %s = %s, %.2f:1 on the dark card", tc.accent, dark, c)
			}
		} else if mix := mixWhite(tc.accent, 0.55); Contrast(mix, darkPageCard) < 4.5 {
			t.Errorf("AccentTextDark of %s is empty, but its mix %s reads at %.2f:1 on the dark card", tc.accent, mix, Contrast(mix, darkPageCard))
		}
	}
	if got := DefaultBrand().AccentTextDark(); got != "" {
		t.Errorf("AccentTextDark of the default accent = %q, want the CSS mix kept", got)
	}
	for _, accent := range []string{"#000080", "#000000"} {
		if got := (Brand{Accent: accent}).AccentTextDark(); got == "" {
			t.Errorf("AccentTextDark of %s is empty: its mix with white is too dark for the dark card", accent)
		}
	}
}

// hsl is the hue in degrees, saturation and lightness of "#rrggbb".
func hsl(t *testing.T, c string) (h, s, l float64) {
	t.Helper()
	rgb, ok := parseHex(c)
	if !ok {
		t.Fatalf("%q is not #rrggbb", c)
	}
	h, s, l = toHSL(rgb)
	return h * 360, s, l
}

func hueDistance(a, b float64) float64 {
	d := math.Abs(a - b)
	return min(d, 360-d)
}

// lightAccents are accents too light, or too dark in dark mode, to read
// as text as they are.
var lightAccents = []string{"#ffe14d", "#0ea5e9", "#000080", DefaultAccent}

// TestAccentTextReadsInMail: with a light accent, every link in every
// HTML mail, and the publication's name in the masthead, reads at 4.5:1
// on white, its colour from its style attribute or else from the <style>
// rules outside dark mode (whose own link colours are checked by
// TestMailDarkModeTextReadsOnTheCard). A button's text, on the accent,
// is OnAccent's business.
func TestAccentTextReadsInMail(t *testing.T) {
	for _, accent := range lightAccents {
		for name, doc := range renderEveryHTMLMailIn(t, accent) {
			root, err := html.Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			_, light := splitDarkMode(styleText(root))
			links := 0
			walk(root, func(n *html.Node) {
				if n.Data != "a" || matchesCompound(n, "a.button") {
					return
				}
				links++
				colour := ""
				if m := inlineColorRE.FindStringSubmatch(attr(n, "style")); m != nil {
					colour = expandHex(m[1])
				} else if m := inlineColorRE.FindStringSubmatch(declarationsFor(n, light)); m != nil {
					colour = expandHex(m[1])
				}
				if colour == "" {
					t.Errorf("%s, accent %s: <a href=%q> has no colour of its own (the client's blue)", name, accent, attr(n, "href"))
				} else if c := Contrast(colour, "#ffffff"); c < 4.5 {
					t.Errorf("%s, accent %s: <a href=%q> is %s, %.2f:1 on white", name, accent, attr(n, "href"), colour, c)
				}
			})
			if links == 0 {
				t.Errorf("%s: no links checked", name)
			}
		}
	}
}

// TestAccentTextReadsOnPages: with a light accent (or one too dark for
// the dark card), every colour a public or admin page gives text without
// a background of its own, in its stylesheets and style attributes,
// reads at 4.5:1 on white, and in dark mode on the dark card: links, the
// active menu item, "Log out", outlined buttons. Custom properties are
// resolved, and color-mix with white worked out as a browser does.
func TestAccentTextReadsOnPages(t *testing.T) {
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, accent := range lightAccents {
		tmpl.SetBrand(func() Brand { b := DefaultBrand(); b.Accent = accent; return b })
		var public, admin bytes.Buffer
		if err := tmpl.Page(&public, "message", map[string]any{"Title": "Thanks", "Message": "Done.", "Back": "/", "BackText": "Back home"}); err != nil {
			t.Fatal(err)
		}
		op := map[string]any{"Method": "GET", "Path": "/api/v1/lists", "Summary": "Lists"}
		err := tmpl.Admin(&admin, "admin_api", map[string]any{"CSRF": "token", "Title": "Bulletin API", "Version": "1",
			"Nav":  []map[string]any{{"Href": "/admin", "Label": "Dashboard"}, {"Href": "/admin/api", "Label": "API", "On": true}},
			"Tags": []map[string]any{{"Name": "lists", "Ops": []map[string]any{op}}}})
		if err != nil {
			t.Fatal(err)
		}
		for name, doc := range map[string]string{"public": public.String(), "admin": admin.String()} {
			checkPageText(t, name+", accent "+accent, doc)
		}
	}
}

var (
	rootRuleRE = regexp.MustCompile(`:root\s*\{([^{}]*)\}`)
	varRE      = regexp.MustCompile(`var\(\s*(--[a-z-]+)\s*\)`)
	mixRE      = regexp.MustCompile(`^color-mix\(in srgb,\s*(#[0-9a-f]{6})\s+([0-9.]+)%,\s*#fff\)$`)
)

// checkPageText checks the text colours of the page doc, in light mode
// on white and in dark mode on the dark card.
func checkPageText(t *testing.T, name, doc string) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	dark, light := splitDarkMode(styleText(root))
	lightVars := customProperties(light, nil)
	darkVars := customProperties(dark, lightVars)
	var declarations []string // each rule's and style attribute's
	for _, m := range cssRuleRE.FindAllStringSubmatch(light, -1) {
		if !strings.Contains(m[1], ":root") {
			declarations = append(declarations, m[2])
		}
	}
	walk(root, func(n *html.Node) {
		if s := attr(n, "style"); s != "" {
			declarations = append(declarations, s)
		}
	})
	checked := 0 // of accent text
	for _, decls := range declarations {
		value, ok := textColour(decls)
		if !ok {
			continue
		}
		for _, mode := range []struct {
			name, bg string
			vars     map[string]string
		}{{"light", "#ffffff", lightVars}, {"dark", darkPageCard, darkVars}} {
			c, err := resolveColour(value, mode.vars)
			if err != nil {
				t.Errorf("%s, %s mode: {%s}: %v", name, mode.name, decls, err)
				continue
			}
			if strings.Contains(value, "--link") || strings.Contains(value, "--accent") {
				checked++
			}
			if r := Contrast(c, mode.bg); r < 4.5 {
				t.Errorf("%s, %s mode: {%s}: text in %s, %.2f:1 on %s", name, mode.name, decls, c, r, mode.bg)
			}
		}
	}
	if checked < 2 {
		t.Errorf("%s: %d accent text colours checked, want those of light and dark mode at least", name, checked)
	}
}

// textColour is the colour decls give text, when they give no
// background of their own (text on a fill is OnAccent's business).
func textColour(decls string) (string, bool) {
	colour, ok := "", false
	for _, d := range strings.Split(decls, ";") {
		prop, value, found := strings.Cut(d, ":")
		prop, value = strings.TrimSpace(prop), strings.TrimSpace(value)
		switch {
		case !found:
		case prop == "color":
			colour, ok = value, true
		case (prop == "background" || prop == "background-color") && value != "none" && value != "transparent":
			return "", false
		}
	}
	return colour, ok
}

// customProperties is the custom properties the :root rules of css set,
// over those of base.
func customProperties(css string, base map[string]string) map[string]string {
	vars := map[string]string{}
	for k, v := range base {
		vars[k] = v
	}
	for _, m := range rootRuleRE.FindAllStringSubmatch(css, -1) {
		for _, d := range strings.Split(m[1], ";") {
			if k, v, ok := strings.Cut(d, ":"); ok && strings.HasPrefix(strings.TrimSpace(k), "--") {
				vars[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return vars
}

// resolveColour is the "#rrggbb" value stands for: custom properties
// replaced, color-mix with white worked out as CSS does.
func resolveColour(value string, vars map[string]string) (string, error) {
	for i := 0; varRE.MatchString(value); i++ {
		if i > 10 {
			return "", errorString("custom properties nest too deep in " + value)
		}
		value = varRE.ReplaceAllStringFunc(value, func(v string) string { return vars[varRE.FindStringSubmatch(v)[1]] })
	}
	value = strings.ToLower(strings.TrimSpace(value))
	if m := mixRE.FindStringSubmatch(value); m != nil {
		p, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return "", err
		}
		return mixWhite(m[1], p/100), nil
	}
	if value == "#fff" || len(value) == 7 && value[0] == '#' {
		return expandHex(value), nil
	}
	return "", errorString("cannot work out the colour " + value)
}

type errorString string

func (e errorString) Error() string { return string(e) }
