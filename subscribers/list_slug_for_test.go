package subscribers

import "testing"

func TestSlugForMakesAValidSlugFromAName(t *testing.T) {
	for name, want := range map[string]string{
		"The Harbour Weekly":    "the-harbour-weekly",
		"  Événements & Fêtes ": "evenements-and-fetes",
		"Straße—Nachrichten":    "strasse-nachrichten",
		"Søren's picks (2026)":  "soren-s-picks-2026",
		"weekly":                "weekly",
		"Ελληνικά":              "",
		"---":                   "",
	} {
		got := SlugFor(name)
		if got != want {
			t.Errorf("SlugFor(%q) = %q, want %q", name, got, want)
		}
		if got != "" {
			l := NewList(&ListPatch{Name: &name, Slug: &got})
			if err := l.Validate(); err != nil {
				t.Errorf("SlugFor(%q) = %q, which a list refuses: %v", name, got, err)
			}
		}
	}
	long := "word "
	for len(long) < 100 {
		long += "another word "
	}
	got := SlugFor(long)
	if len(got) > 64 || got[len(got)-1] == '-' {
		t.Errorf("SlugFor of a long name = %q (%d bytes), want at most 64 ending on a word", got, len(got))
	}
}
