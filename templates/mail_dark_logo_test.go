package templates

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestMailDarkModeLogoBackdrop: in every HTML mail with a masthead, the
// logo keeps a light backdrop with some padding in dark mode (a rule of
// the prefers-color-scheme query, !important), so a dark logo on a
// transparent background still reads on the dark page; in light mode
// nothing gives it a background, as before.
func TestMailDarkModeLogoBackdrop(t *testing.T) {
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	sized := DefaultBrand()
	sized.Name, sized.URL = "Harbour Gazette", "https://news.example"
	sized.LogoURL, sized.LogoWidth, sized.LogoHeight = "https://news.example/media/logo.png", 144, 48
	unsized := sized
	unsized.LogoWidth, unsized.LogoHeight = 0, 0
	for _, brand := range []Brand{sized, unsized} {
		for name, data := range map[string]map[string]any{
			"campaign": campaignMailData(brand, "<p>Hello</p>"),
			"confirm":  confirmMailData(brand),
			"already":  alreadyMailData(brand),
			"test":     {"Brand": brand, "Message": "Hello"},
		} {
			_, doc := renderMail(t, tmpl, name, data)
			root, err := html.Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			logo := find(root, func(n *html.Node) bool { return n.Data == "img" && attr(n, "src") == brand.LogoURL })
			if logo == nil {
				t.Fatalf("%s, logo %dx%d: no logo in the mail", name, brand.LogoWidth, brand.LogoHeight)
			}
			dark, light := splitDarkMode(styleText(root))
			if decls := declarationsFor(logo, dark); !backdrop.MatchString(decls) || !padded.MatchString(decls) {
				t.Errorf("%s, logo %dx%d: dark mode gives the logo %q, want a light background !important and a padding",
					name, brand.LogoWidth, brand.LogoHeight, decls)
			}
			if decls := declarationsFor(logo, light) + ";" + attr(logo, "style"); strings.Contains(decls, "background") || strings.Contains(decls, "padding") {
				t.Errorf("%s, logo %dx%d: light mode gives the logo %q, want no background and no padding",
					name, brand.LogoWidth, brand.LogoHeight, decls)
			}
		}
	}
}

// backdrop is a background colour given with !important; padded, a
// padding that is not 0.
var (
	backdrop = regexp.MustCompile(`(?i)background(?:-color)?\s*:\s*(#[0-9a-f]{6}|#[0-9a-f]{3})\s*!important`)
	padded   = regexp.MustCompile(`(?i)padding\s*:\s*[1-9]`)
)

// splitDarkMode is css's rules inside its dark-mode media queries and
// those outside them.
func splitDarkMode(css string) (dark, light string) {
	var d, l strings.Builder
	for {
		loc := darkQuery.FindStringIndex(css)
		if loc == nil {
			l.WriteString(css)
			return d.String(), l.String()
		}
		l.WriteString(css[:loc[0]])
		end := blockEnd(css, loc[1])
		d.WriteString(css[loc[1] : end-1])
		css = css[end:]
	}
}

// declarationsFor is the declarations of the rules of css whose
// selectors match n, joined with ";". The background of each is kept
// only when the colour is light.
func declarationsFor(n *html.Node, css string) string {
	var out []string
	for _, m := range cssRuleRE.FindAllStringSubmatch(css, -1) {
		for _, sel := range strings.Split(m[1], ",") {
			if matches(n, strings.Fields(sel)) {
				decls := m[2]
				if c := backdrop.FindStringSubmatch(decls); c != nil && !isLight(expandHex(c[1])) {
					decls = backdrop.ReplaceAllString(decls, "dark-background")
				}
				out = append(out, strings.TrimSpace(decls))
				break
			}
		}
	}
	return strings.Join(out, ";")
}
