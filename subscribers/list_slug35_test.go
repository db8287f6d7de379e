package subscribers

import "testing"

// A name SlugFor makes no slug from has an error that says so, naming
// it; an empty name has none, its own error being the one to fix.
func TestNoSlugFromSaysTheNameHasNoLatinLetters(t *testing.T) {
	for name, want := range map[string]string{
		"日本のニュース":    "Bulletin makes the slug from the name's Latin letters and digits, and “日本のニュース” has none: type a slug, such as the-weekly",
		" Ελληνικά ": "Bulletin makes the slug from the name's Latin letters and digits, and “Ελληνικά” has none: type a slug, such as the-weekly",
		"  ":         "",
	} {
		if SlugFor(name) != "" {
			t.Fatalf("SlugFor(%q) = %q, want none", name, SlugFor(name))
		}
		if got := NoSlugFrom(name); got != want {
			t.Errorf("NoSlugFrom(%q) = %q, want %q", name, got, want)
		}
	}
}
