package web

import (
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// newLanguageServer is newSettingsServer with the public archive wired,
// and one French issue in it, sent to the public list "news". It returns
// the issue's id.
func newLanguageServer(t *testing.T) (*Server, *adminClient, int64) {
	t.Helper()
	var issue int64
	s, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		s.Settings = settings.NewStore(db, filepath.Join(t.TempDir(), "media"), settingsDefaults)
		s.SubscriberDeps = SubscriberDeps{Pages: s.Templates, Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
			Signups: subscribers.NewSignups(s.Subscribers, dropQueue{}, s.Log)}
		s.Archive = campaigns.NewStore(db)
		if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "news", Name: "Nouvelles", Public: true}); err != nil {
			t.Fatal(err)
		}
		issue = pastIssue(t, db, "Les horaires des marées", "La marée monte ce soir.", "sent", time.Now().Add(-time.Hour))
	})
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	return s, a, issue
}

// TestArchiveInThePublicationsLanguage: once the publication writes in
// French, the archive marks its subjects and the issue's body French,
// while the pages, Bulletin's English, stay English; the signup page,
// all Bulletin's, is left as it was. Before, the archive had no lang
// but the page's.
func TestArchiveInThePublicationsLanguage(t *testing.T) {
	s, a, issue := newLanguageServer(t)
	issuePath := "/archive/" + strconv.FormatInt(issue, 10)
	for _, path := range []string{"/archive", issuePath} {
		if _, body := a.get(path); strings.Count(body, "lang=") != 1 || !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("GET %s in English has lang marks other than the page's:\n%s", path, body)
		}
	}
	_, signupBefore := a.get("/subscribe")

	f := goodSettings()
	f.Set("language", "fr")
	if resp, body := a.postSettings(f, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d:\n%s", resp.StatusCode, body)
	}
	if p, _ := s.Settings.Stored(context.Background()); p.Language != "fr" {
		t.Fatalf("stored language %q, want fr", p.Language)
	}
	_, body := a.get(issuePath)
	if !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("the issue page is no longer English:\n%s", body)
	}
	for text, want := range map[string]string{"La marée monte": "fr", "Les horaires des marées": "fr", "← Archive": "en"} {
		if got := mailtest.LangOf(t, body, text); got != want {
			t.Errorf("on the issue page, %q is read as %q, want %q", text, got, want)
		}
	}
	_, body = a.get("/archive")
	for text, want := range map[string]string{"Les horaires des marées": "fr", "Past newsletters": "en"} {
		if got := mailtest.LangOf(t, body, text); got != want {
			t.Errorf("on the archive, %q is read as %q, want %q", text, got, want)
		}
	}
	// The signup page changes with the settings saved (the name, the
	// accent), but its language does not.
	if _, signup := a.get("/subscribe"); strings.Count(signup, "lang=") != 1 || strings.Count(signupBefore, "lang=") != 1 {
		t.Errorf("the signup page has lang marks other than its own:\n%s", signup)
	}
}

// TestSettingsPageRefusesABadLanguage: a language that is no tag is a
// 422 saying what to type, beside the field, with every other field as
// typed and nothing saved; a good one is saved in its canonical form and
// shown so.
func TestSettingsPageRefusesABadLanguage(t *testing.T) {
	s, a, _ := newLanguageServer(t)
	f := goodSettings()
	f.Set("language", "de")
	if resp, body := a.postSettings(f, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save = %d:\n%s", resp.StatusCode, body)
	}
	before, _ := s.Settings.Stored(context.Background())

	f = goodSettings()
	f.Set("name", "Changed name")
	f.Set("language", "xx-!!")
	resp, body := a.postSettings(f, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST = %d, want 422:\n%s", resp.StatusCode, body)
	}
	field := regexp.MustCompile(`name="language" value="xx-!!"[^>]*aria-invalid="true"[^>]*>\s*<p class="error"[^>]*>[^<]*language tag such as en, fr, de or pt-BR`)
	if !field.MatchString(body) {
		t.Errorf("no error saying what to type beside the language, as typed:\n%s", body)
	}
	for _, want := range []string{`value="Changed name"`, "4 Rope Walk", `value="desk@quayside.example"`, `value="#b45309"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lost %s, as typed", want)
		}
	}
	if after, _ := s.Settings.Stored(context.Background()); after != before {
		t.Errorf("a refused form changed the settings: %+v, was %+v", after, before)
	}

	f = goodSettings()
	f.Set("language", "pt_br")
	if resp, body := a.postSettings(f, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save pt_br = %d:\n%s", resp.StatusCode, body)
	}
	if _, body := a.get("/admin/settings"); !strings.Contains(body, `name="language" value="pt-BR"`) {
		t.Errorf("the settings page does not show the language saved as pt-BR:\n%s", body)
	}
}
