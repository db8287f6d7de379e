package subscribers

import "testing"

// MakeSlug makes a slug from the name only when the patch leaves it out
// or empty (spaces alone are empty), and says whether it did; a slug
// typed is kept as it was typed, for the list's validation to judge.
func TestMakeSlugOnlyForASlugLeftOut(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, c := range []struct {
		what       string
		name, slug *string
		wantMade   bool
		wantSlug   string
	}{
		{"slug left out", str("The Harbour Weekly"), nil, true, "the-harbour-weekly"},
		{"slug empty", str("The Harbour Weekly"), str(""), true, "the-harbour-weekly"},
		{"slug of spaces", str("Événements"), str("  "), true, "evenements"},
		{"name with nothing a slug keeps", str("Ελληνικά"), nil, true, ""},
		{"name and slug left out", nil, nil, true, ""},
		{"slug typed", str("The Harbour Weekly"), str("harbour"), false, "harbour"},
		{"slug typed in capitals", str("The Harbour Weekly"), str(" Harbour "), false, " Harbour "},
	} {
		p := &ListPatch{Name: c.name, Slug: c.slug}
		if made := p.MakeSlug(); made != c.wantMade {
			t.Errorf("%s: MakeSlug() = %v, want %v", c.what, made, c.wantMade)
		}
		if p.Slug == nil {
			t.Errorf("%s: the slug is left out, want %q", c.what, c.wantSlug)
		} else if *p.Slug != c.wantSlug {
			t.Errorf("%s: the slug is %q, want %q", c.what, *p.Slug, c.wantSlug)
		}
	}
}
