package settings_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// TestLanguageIsSavedInItsCanonicalForm: a language tag is saved as pages
// and mails give it in their lang, whatever its case or separator; empty
// is English, in force too. The brand carries it, and tells English from
// a language its pages and mails must mark.
func TestLanguageIsSavedInItsCanonicalForm(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ typed, saved, contentLang string }{
		{"", "", ""},
		{"fr", "fr", "fr"},
		{" FR ", "fr", "fr"},
		{"pt_br", "pt-BR", "pt-BR"},
		{"zh-hant-tw", "zh-Hant-TW", "zh-Hant-TW"},
		{"iw", "he", "he"},
		{"en-gb", "en-GB", ""},
	} {
		s, _, _ := newStore(t)
		p := full
		p.Language = tc.typed
		if err := s.Save(ctx, &settings.Update{Publication: p}); err != nil {
			t.Fatalf("save %q: %v", tc.typed, err)
		}
		stored, err := s.Stored(ctx)
		if err != nil {
			t.Fatal(err)
		}
		inForce, err := s.Publication(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Language != tc.saved || inForce.Language != tc.saved {
			t.Errorf("%q saved as %q, in force %q; want %q", tc.typed, stored.Language, inForce.Language, tc.saved)
		}
		b := inForce.Brand()
		want := tc.saved
		if want == "" {
			want = "en"
		}
		if b.Lang() != want {
			t.Errorf("%q: brand's lang %q, want %q", tc.typed, b.Lang(), want)
		}
		if b.ContentLang() != tc.contentLang {
			t.Errorf("%q: brand's content lang %q, want %q", tc.typed, b.ContentLang(), tc.contentLang)
		}
	}
}

// TestLanguageRefused: what is not a tag naming a language is refused,
// saying what to type, and nothing of the save is stored.
func TestLanguageRefused(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	before := full
	before.Language = "de"
	if err := s.Save(ctx, &settings.Update{Publication: before}); err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Stored(ctx)
	for _, bad := range []string{"xx-!!", "French", "zz", "und", "x-mine", "fr_FR_paris!"} {
		p := full
		p.Name = "Changed"
		p.Language = bad
		err := s.Save(ctx, &settings.Update{Publication: p})
		if bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("language %q: err = %v, want a validation error", bad, err)
			continue
		}
		fields := bulletin.ErrorFields(err)
		if why := fields["language"]; !strings.Contains(why, "language tag such as en, fr, de or pt-BR") || len(fields) != 1 {
			t.Errorf("language %q: errors %q, want one on language saying what to type", bad, fields)
		}
		if got, _ := s.Stored(ctx); !cmp.Equal(stored, got) {
			t.Errorf("language %q: a refused save changed the settings (-before +after):\n%s", bad, cmp.Diff(stored, got))
		}
	}
}
