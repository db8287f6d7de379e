package campaigns_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// languageEnv is a golden environment whose publication, saved in a
// settings store on its database, writes in language ("" for the
// default).
func languageEnv(t *testing.T, language string) *goldenEnv {
	t.Helper()
	e := newGoldenEnv(t, "harbour", "Notes du port", "daily")
	store := settings.NewStore(e.db, filepath.Join(t.TempDir(), "media"), settings.Defaults{PublicURL: goldenBaseURL, From: goldenFrom})
	err := store.Save(context.Background(), &settings.Update{Publication: settings.Publication{
		Name: "Le Courrier du Quai", PostalAddress: "12 rue de la Paix\n75002 Paris", Credit: true, Language: language,
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Settings = store
	return e
}

// checkLangs checks the language each text of htmlPart is read in.
func checkLangs(t *testing.T, htmlPart string, want map[string]string) {
	t.Helper()
	for text, lang := range want {
		if got := mailtest.LangOf(t, htmlPart, text); got != lang {
			t.Errorf("%q is read as %q, want %q", text, got, lang)
		}
	}
}

// sendDigest36 sends a digest of one French story, by an author, and
// returns its mail's HTML part.
func sendDigest36(t *testing.T, e *goldenEnv) string {
	t.Helper()
	e.exec(t, `INSERT INTO articles (url, title, summary, body, author, published_at, created_at) VALUES
		('https://quai.example/maree', 'La marée monte', 'Les bateaux rentrent au port.', '', 'Léa Martin', datetime('now'), datetime('now'))`)
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT a.id, l.id FROM articles a, lists l`)
	if _, err := e.svc.RunDigest(context.Background(), "harbour"); err != nil {
		t.Fatal(err)
	}
	return mailtest.Parse(t, e.send(t)).HTML
}

// TestCampaignMailInThePublicationsLanguage: a publication writing in
// French sends a mail whose document is French, so that a screen reader
// reads the campaign in French; the footer, Bulletin's English, is marked
// English, all but the postal address, which is the publisher's.
func TestCampaignMailInThePublicationsLanguage(t *testing.T) {
	e := languageEnv(t, "fr")
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Les horaires des marées", Lists: []string{"harbour"},
		Body: "Bonjour {{ .Name }}, voici les horaires de la semaine."})
	pm := mailtest.Parse(t, e.send(t))
	// The subject, in the <title>, is the document's.
	if !strings.Contains(pm.HTML, `<html lang="fr">`) || !strings.Contains(pm.HTML, "<title>Les horaires des marées</title>") {
		t.Errorf("the campaign's mail is not marked French:\n%s", pm.HTML)
	}
	checkLangs(t, pm.HTML, map[string]string{
		"voici les horaires":       "fr",
		"you receive this because": "en",
		"Unsubscribe":              "en",
		"Preferences":              "en",
		"Sent with Bulletin":       "en",
		"12 rue de la Paix":        "fr",
	})
}

// TestDigestMailInThePublicationsLanguage: a digest of a French
// publication is French, its stories read so, while its own English
// words (the heading, the dates, the byline, "Read more") and the footer
// are marked English.
func TestDigestMailInThePublicationsLanguage(t *testing.T) {
	e := languageEnv(t, "fr")
	got := sendDigest36(t, e)
	if !strings.Contains(got, `<html lang="fr">`) {
		t.Errorf("the digest's mail is not marked French:\n%s", got)
	}
	checkLangs(t, got, map[string]string{
		"La marée monte":               "fr",
		"Les bateaux rentrent au port": "fr",
		"1 new story":                  "en",
		"By Léa Martin":                "en",
		"Read more":                    "en",
		"you receive this because":     "en",
		"Unsubscribe":                  "en",
		"Sent with Bulletin":           "en",
		"12 rue de la Paix":            "fr",
	})
}

// TestMailInEnglishByDefault: a publication with no language, or with an
// English one, mails English documents as before, with no lang marks
// inside them: the only lang is the document's.
func TestMailInEnglishByDefault(t *testing.T) {
	for _, language := range []string{"", "en-GB"} {
		want := `<html lang="` + language + `">`
		if language == "" {
			want = `<html lang="en">`
		}
		e := languageEnv(t, language)
		e.sendCampaign(t, &campaigns.Campaign{Subject: "Tide tables", Lists: []string{"harbour"}, Body: "Hello, see the tables."})
		campaign := mailtest.Parse(t, e.send(t)).HTML
		digest := sendDigest36(t, languageEnv(t, language))
		for kind, got := range map[string]string{"campaign": campaign, "digest": digest} {
			if !strings.Contains(got, want) || strings.Count(got, "lang=") != 1 {
				t.Errorf("language %q: the %s's mail has lang marks other than %s:\n%s", language, kind, want, got)
			}
		}
	}
}
