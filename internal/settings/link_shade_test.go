package settings

import (
	"testing"

	"github.com/bulletinhq/bulletin/templates"
)

// TestLinkShade: an accent under 3:1 on white gets the darker shade links
// are shown in, the one pages and mail use (Brand.AccentText), readable
// at 4.5:1; one at 3:1 or more, or not "#rrggbb", gets none.
func TestLinkShade(t *testing.T) {
	for _, accent := range []string{"#ffe14d", "#0ea5e9", "#00ff00", "#ffffff"} {
		got := LinkShade(accent)
		if got == "" || got != (templates.Brand{Accent: accent}).AccentText() || templates.Contrast(got, "#ffffff") < 4.5 {
			t.Errorf("LinkShade(%s) = %q, want its AccentText, readable on white", accent, got)
		}
	}
	for _, accent := range []string{templates.DefaultAccent, "#ff0000", "#777777", "#000000", "", "ffe14d", "#fe4", "yellow"} {
		if got := LinkShade(accent); got != "" {
			t.Errorf("LinkShade(%q) = %q, want none", accent, got)
		}
	}
}
