package campaigns_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// setLanguage37 changes the language of e's publication (languageEnv's),
// keeping every other setting.
func setLanguage37(t *testing.T, e *goldenEnv, language string) {
	t.Helper()
	ctx := context.Background()
	store := e.svc.Settings.(*settings.Store)
	p, err := store.Stored(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Language = language
	if err := store.Save(ctx, &settings.Update{Publication: p}); err != nil {
		t.Fatal(err)
	}
}

// archived37 returns the language the archive keeps for each of its
// issues, by subject, and checks that each issue's own page says the
// same.
func archived37(t *testing.T, e *goldenEnv) map[string]string {
	t.Helper()
	ctx := context.Background()
	issues, _, err := e.svc.Archive(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, is := range issues {
		out[is.Subject] = is.Language
		one, err := e.svc.ArchiveIssue(ctx, is.ID)
		if err != nil {
			t.Fatal(err)
		}
		if one.Language != is.Language {
			t.Errorf("issue %d is in %q on its page, %q in the archive's list", is.ID, one.Language, is.Language)
		}
	}
	return out
}

// htmlLang is the lang of a mail's document.
func htmlLang(t *testing.T, htmlPart string) string {
	t.Helper()
	_, rest, ok := strings.Cut(htmlPart, `<html lang="`)
	lang, _, ok2 := strings.Cut(rest, `"`)
	if !ok || !ok2 {
		t.Fatalf("no <html lang> in:\n%s", htmlPart)
	}
	return lang
}

// TestCampaignKeepsTheLanguageItWasSentIn: a campaign takes the
// publication's language when it starts sending, and keeps it: its mail
// fanned out after the setting changed is still in it, and so is its
// archive page, while a campaign sent after the change is in the new
// language. An English one keeps "en", so a publication that sets a
// language later does not mark its English issues with it.
func TestCampaignKeepsTheLanguageItWasSentIn(t *testing.T) {
	ctx := context.Background()
	e := languageEnv(t, "fr")
	french := &campaigns.Campaign{Subject: "Les horaires des marées", Lists: []string{"harbour"}, Body: "Voici les horaires."}
	if err := e.svc.Schedule(ctx, french); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, french.ID); err != nil {
		t.Fatal(err)
	}
	// The setting changes while the campaign is sending, before its
	// fan-out has rendered a single mail.
	setLanguage37(t, e, "de")
	pm := mailtest.Parse(t, e.send(t))
	if got := htmlLang(t, pm.HTML); got != "fr" {
		t.Errorf("the campaign started in French went out in %q", got)
	}
	checkLangs(t, pm.HTML, map[string]string{"Voici les horaires": "fr", "you receive this because": "en"})
	if c, err := e.svc.Get(ctx, french.ID); err != nil || c.Status != campaigns.StatusSent {
		t.Fatalf("the French campaign is %v (%v), want sent", c, err)
	}

	e.out.msgs = nil
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Die Gezeiten", Lists: []string{"harbour"}, Body: "Hier sind die Zeiten."})
	if got := htmlLang(t, mailtest.Parse(t, e.send(t)).HTML); got != "de" {
		t.Errorf("the campaign sent after the change went out in %q, want de", got)
	}
	setLanguage37(t, e, "")
	e.out.msgs = nil
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Tide tables", Lists: []string{"harbour"}, Body: "Here are the tables."})
	e.send(t)
	setLanguage37(t, e, "es")

	want := map[string]string{"Les horaires des marées": "fr", "Die Gezeiten": "de", "Tide tables": "en"}
	if diff := cmp.Diff(want, archived37(t, e)); diff != "" {
		t.Errorf("the archive's languages (-want +got):\n%s", diff)
	}
}

// TestPausedCampaignResumesInItsLanguage: a campaign paused before its
// mail went and resumed after the setting changed sends in the language
// it started in, and a draft's test send and preview, of a campaign that
// has not started, are in the language set now.
func TestPausedCampaignResumesInItsLanguage(t *testing.T) {
	ctx := context.Background()
	e := languageEnv(t, "fr")
	c := &campaigns.Campaign{Subject: "Les horaires des marées", Lists: []string{"harbour"}, Body: "Voici les horaires."}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pause(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	setLanguage37(t, e, "it")
	draft := &campaigns.Campaign{Subject: "Le maree", Lists: []string{"harbour"}, Body: "Ecco gli orari."}
	if err := e.svc.Schedule(ctx, draft); err != nil {
		t.Fatal(err)
	}
	preview, err := e.svc.PreviewMail(ctx, draft.ID, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	if got := htmlLang(t, preview); got != "it" {
		t.Errorf("a draft's preview is in %q, want the language set now, it", got)
	}
	if _, err := e.svc.Resume(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if got := htmlLang(t, mailtest.Parse(t, e.send(t)).HTML); got != "fr" {
		t.Errorf("the campaign started in French and resumed went out in %q", got)
	}
	preview, err = e.svc.PreviewMail(ctx, c.ID, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	if got := htmlLang(t, preview); got != "fr" {
		t.Errorf("the sent campaign's preview is in %q, want fr", got)
	}
}

// TestDigestKeepsTheLanguageItWasBuiltIn: a digest is rendered in the
// language set when it is built and keeps it: its mail sent after the
// setting changed is in it whole, the document and the marks on its own
// English words alike, and so is its archive page. A digest built while
// the publication wrote English has no such marks, and the archive says
// it is English after the publication took a language.
func TestDigestKeepsTheLanguageItWasBuiltIn(t *testing.T) {
	ctx := context.Background()
	e := languageEnv(t, "fr")
	e.exec(t, `INSERT INTO articles (url, title, summary, body, author, published_at, created_at) VALUES
		('https://quai.example/maree', 'La marée monte', 'Les bateaux rentrent au port.', '', 'Léa Martin', datetime('now'), datetime('now'))`)
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT a.id, l.id FROM articles a, lists l`)
	french, err := e.svc.RunDigest(ctx, "harbour")
	if err != nil {
		t.Fatal(err)
	}
	setLanguage37(t, e, "")
	got := mailtest.Parse(t, e.send(t)).HTML
	if lang := htmlLang(t, got); lang != "fr" {
		t.Errorf("the digest built in French went out in %q", lang)
	}
	checkLangs(t, got, map[string]string{"La marée monte": "fr", "1 new story": "en", "Read more": "en", "Unsubscribe": "en"})
	is, err := e.svc.ArchiveIssue(ctx, french.ID)
	if err != nil {
		t.Fatal(err)
	}
	if is.Language != "fr" || mailtest.LangOf(t, `<div lang="fr">`+is.BodyHTML+`</div>`, "1 new story") != "en" {
		t.Errorf("the French digest's archive is in %q, its heading not marked English:\n%s", is.Language, is.BodyHTML)
	}

	e.out.msgs = nil
	e.exec(t, `INSERT INTO articles (url, title, summary, body, published_at, created_at) VALUES
		('https://quai.example/tide', 'The tide turns', 'Boats go out.', '', datetime('now'), datetime('now'))`)
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT a.id, l.id FROM articles a, lists l WHERE a.url = 'https://quai.example/tide'`)
	english, err := e.svc.RunDigest(ctx, "harbour")
	if err != nil {
		t.Fatal(err)
	}
	setLanguage37(t, e, "fr")
	got = mailtest.Parse(t, e.send(t)).HTML
	if lang := htmlLang(t, got); lang != "en" || strings.Count(got, "lang=") != 1 {
		t.Errorf("the digest built in English went out in %q, or with lang marks inside:\n%s", lang, got)
	}
	if is, err := e.svc.ArchiveIssue(ctx, english.ID); err != nil || is.Language != "en" || strings.Contains(is.BodyHTML, "lang=") {
		t.Errorf("the English digest's archive is %+v (%v), want English with no lang marks", is, err)
	}
}
