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

// brandedEnv is a golden environment whose service reads the publication
// from a settings store on the same database, saved with credit on or off.
func brandedEnv(t *testing.T, credit bool) *goldenEnv {
	t.Helper()
	e := newGoldenEnv(t, "harbour", "Harbour Notes", "daily")
	store := settings.NewStore(e.db, filepath.Join(t.TempDir(), "media"), settings.Defaults{PublicURL: goldenBaseURL, From: goldenFrom})
	err := store.Save(context.Background(), &settings.Update{Publication: settings.Publication{
		Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", WebsiteURL: "https://quayside.example",
		Accent: "#b45309", PostalAddress: "Quayside Courier Ltd\n4 Rope Walk\nFalmouth TR11 3AB",
		FromAddress: "post@quayside.example", ReplyTo: "desk@quayside.example", Credit: credit,
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Settings = store
	return e
}

// TestCampaignMailCarriesTheBrand: a campaign's mail shows the stored
// publication, not the environment's: its name at the top, its accent,
// its postal address in both parts' footers, its From, Reply-To and public
// URL, and the "Sent with Bulletin" credit only while it is on.
func TestCampaignMailCarriesTheBrand(t *testing.T) {
	for _, credit := range []bool{true, false} {
		e := brandedEnv(t, credit)
		e.sendCampaign(t, &campaigns.Campaign{Subject: "Tide tables", Lists: []string{"harbour"}, Body: "Hello {{ .Name }}, see [the tables](https://quayside.example/tides)."})
		pm := mailtest.Parse(t, e.send(t))
		checkBrand(t, pm, credit)
	}
}

// TestDigestMailCarriesTheBrand: digests are wrapped like campaigns.
func TestDigestMailCarriesTheBrand(t *testing.T) {
	e := brandedEnv(t, true)
	e.exec(t, `INSERT INTO articles (url, title, summary, body, author, published_at, created_at) VALUES
		('https://quayside.example/a', 'Ropes', 'About ropes.', '', '', datetime('now'), datetime('now'))`)
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT a.id, l.id FROM articles a, lists l`)
	if _, err := e.svc.RunDigest(context.Background(), "harbour"); err != nil {
		t.Fatal(err)
	}
	pm := mailtest.Parse(t, e.send(t))
	checkBrand(t, pm, true)
	if !strings.Contains(pm.Text, "from Quayside Courier") {
		t.Errorf("digest text does not name the publication:\n%s", pm.Text)
	}
	// The stories' links are in the accent, as a campaign's are, not in a
	// blue of their own.
	if !strings.Contains(pm.HTML, `style="color:#b45309;text-decoration:none;">Ropes</a>`) || strings.Contains(pm.HTML, "#1d4ed8") {
		t.Errorf("the digest's story links are not in the accent:\n%s", pm.HTML)
	}
}

func checkBrand(t *testing.T, pm *mailtest.Mail, credit bool) {
	t.Helper()
	if got := pm.Header.Get("From"); got != `"Quayside Courier" <post@quayside.example>` && got != "Quayside Courier <post@quayside.example>" {
		t.Errorf("From = %q, want the stored name and address", got)
	}
	if got := pm.Header.Get("Reply-To"); got != "<desk@quayside.example>" && got != "desk@quayside.example" {
		t.Errorf("Reply-To = %q, want the stored one", got)
	}
	if got := pm.Header.Get("List-Unsubscribe"); !strings.HasPrefix(got, "<https://letters.quayside.example/unsubscribe/") {
		t.Errorf("List-Unsubscribe = %q, want the stored public URL", got)
	}
	for _, want := range []string{"Quayside Courier", "#b45309", "Quayside Courier Ltd", "4 Rope Walk", "Falmouth TR11 3AB",
		`href="https://letters.quayside.example/preferences/`, `href="https://quayside.example"`} {
		if !strings.Contains(pm.HTML, want) {
			t.Errorf("HTML part lacks %q", want)
		}
	}
	if strings.Contains(pm.HTML, "Harbour Gazette") || strings.Contains(pm.Text, "Harbour Gazette") {
		t.Error("the mail names BULLETIN_FROM's publisher, not the stored one")
	}
	for _, want := range []string{"Quayside Courier Ltd\n4 Rope Walk\nFalmouth TR11 3AB", "https://letters.quayside.example/preferences/"} {
		if !strings.Contains(pm.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, pm.Text)
		}
	}
	for part, body := range map[string]string{"HTML": pm.HTML, "text": pm.Text} {
		if got := strings.Contains(body, "Sent with Bulletin"); got != credit {
			t.Errorf("%s part with credit %v shows the credit: %v", part, credit, got)
		}
	}
}
