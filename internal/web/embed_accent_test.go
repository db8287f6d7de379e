package web

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// m23EmbedButton is the snippet's submit button as it ends, coloured
// background on text; the page holds the snippet twice (to copy, and its
// preview).
func m23EmbedButton(background, text string) string {
	return `background:` + background + `;color:` + text + `" type="submit">Subscribe`
}

// TestEmbedSnippetTakesTheSavedAccent: the signup snippet's button is
// the publication's accent once one is saved, with text that reads on it,
// and the default accent before.
func TestEmbedSnippetTakesTheSavedAccent(t *testing.T) {
	_, a := newSettingsServer(t)
	resp, body := a.get("/subscribe/embed?list=tides")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /subscribe/embed = %d", resp.StatusCode)
	}
	if n := inPreviewAndCopy(t, body, m23EmbedButton("#1f5fbf", "#ffffff")); n != 2 {
		t.Errorf("before any save, %d snippet buttons on the default accent #1f5fbf, want 2:\n%s", n, body)
	}
	for _, tc := range []struct{ accent, background, text string }{
		{"#aa3300", "#aa3300", "#ffffff"},
		{"#FD0", "#ffdd00", "#111827"}, // a light accent gets dark text
	} {
		f := goodSettings()
		f.Set("accent", tc.accent)
		if resp, body := a.postSettings(f, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save accent %s = %d:\n%s", tc.accent, resp.StatusCode, body)
		}
		_, body := a.get("/subscribe/embed?list=tides")
		if n := inPreviewAndCopy(t, body, m23EmbedButton(tc.background, tc.text)); n != 2 {
			t.Errorf("accent %s saved: %d snippet buttons with background %s and text %s, want 2:\n%s",
				tc.accent, n, tc.background, tc.text, body)
		}
		if strings.Contains(body, "background:#1f5fbf") {
			t.Errorf("accent %s saved: the snippet still has the default background", tc.accent)
		}
	}
}

// TestEmbedSnippetTakesOnlyAHexColour: an accent in the settings row that
// is not "#rrggbb" (written around the form's check) does not reach the
// snippet, which shows as text in a textarea where no CSS filter applies:
// the default accent does.
func TestEmbedSnippetTakesOnlyAHexColour(t *testing.T) {
	const bad = `red;background:url(https://evil.example/x)`
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		if _, err := db.Write.Exec(`INSERT INTO settings (id, accent, updated_at) VALUES (1, ?, ?)`, bad, sqlite.Now()); err != nil {
			t.Fatal(err)
		}
		s.Settings = settings.NewStore(db, filepath.Join(t.TempDir(), "media"), settingsDefaults)
		s.SubscriberDeps = SubscriberDeps{Pages: s.Templates, Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
			Signups: subscribers.NewSignups(s.Subscribers, dropQueue{}, s.Log)}
		if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "tides", Name: "Tide Tables", Public: true}); err != nil {
			t.Fatal(err)
		}
	})
	resp, body := a.get("/subscribe/embed?list=tides")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /subscribe/embed = %d", resp.StatusCode)
	}
	if strings.Contains(body, "evil.example") {
		t.Errorf("the snippet carries the stored accent %q:\n%s", bad, body)
	}
	if n := inPreviewAndCopy(t, body, m23EmbedButton("#1f5fbf", "#ffffff")); n != 2 {
		t.Errorf("%d snippet buttons on the default accent, want 2:\n%s", n, body)
	}
}
