package templates

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestLightAccentButtonsHaveAnEdge: a button filled with an accent that
// stands out from white at less than 3:1 (cornsilk, 1.07:1) gets a line
// round it that does, on the public pages, the admin's and the mails'
// buttons; an accent that stands out alone (the default, navy) gets none,
// so the mail and pages of most installs do not change.
func TestLightAccentButtonsHaveAnEdge(t *testing.T) {
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		accent string
		edge   bool
	}{{"#fff8dc", true}, {"#ffe14d", true}, {DefaultAccent, false}, {"#000080", false}} {
		b := DefaultBrand()
		b.Accent = tc.accent
		edge := b.AccentEdge()
		if (edge != "") != tc.edge {
			t.Fatalf("accent %s (%.2f:1 on white): AccentEdge() = %q, want an edge: %v", tc.accent, Contrast(tc.accent, "#ffffff"), edge, tc.edge)
		}
		if tc.edge {
			if c := Contrast(edge, "#ffffff"); c < 3 {
				t.Errorf("accent %s: edge %s is %.2f:1 on white, want 3:1", tc.accent, edge, c)
			}
		}

		tmpl.SetBrand(func() Brand { return b })
		var public, admin bytes.Buffer
		if err := tmpl.Page(&public, "message", map[string]any{"Title": "Thanks", "Message": "Done.", "Back": "/", "BackText": "Back home"}); err != nil {
			t.Fatal(err)
		}
		if err := tmpl.Admin(&admin, "admin_api", map[string]any{"CSRF": "token", "Title": "Bulletin API", "Version": "1"}); err != nil {
			t.Fatal(err)
		}
		for name, doc := range map[string]string{"public": public.String(), "admin": admin.String()} {
			root, err := html.Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			dark, light := splitDarkMode(styleText(root))
			if !strings.Contains(light, "box-shadow:inset 0 0 0 1px var(--edge,transparent)") {
				t.Errorf("%s page: its buttons draw no --edge", name)
			}
			lightVars := customProperties(light, nil)
			got, ok := lightVars["--edge"]
			if ok != tc.edge || tc.edge && got != edge {
				t.Errorf("%s page, accent %s: light --edge = %q (set: %v), want %q", name, tc.accent, got, ok, edge)
			}
			if v := customProperties(dark, lightVars)["--edge"]; v != "transparent" {
				t.Errorf("%s page, accent %s: dark mode --edge = %q, want transparent (the fill is lightened on a dark card)", name, tc.accent, v)
			}
		}

		for name, doc := range renderEveryHTMLMailIn(t, tc.accent) {
			if name != "confirm" && name != "already" {
				continue
			}
			cell := ""
			walk(mustParse(t, doc), func(n *html.Node) {
				if n.Data == "td" && attr(n, "bgcolor") != "" {
					cell = attr(n, "style")
				}
			})
			if cell == "" {
				t.Fatalf("%s mail: no button cell", name)
			}
			want := "border:1px solid " + edge + ";"
			if has := strings.Contains(cell, "border:1px solid"); has != tc.edge || tc.edge && !strings.Contains(cell, want) {
				t.Errorf("%s mail, accent %s: button cell style %q, want an edge %q: %v", name, tc.accent, cell, want, tc.edge)
			}
		}
	}
}

func mustParse(t *testing.T, doc string) *html.Node {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return root
}
