package subscribers

import (
	"context"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/templates"
)

// TestConfirmMailCarriesTheBrand: the confirmation names the publication
// of the settings, not BULLETIN_FROM's display name, and comes from its
// From, with its accent on the button, its postal address in both parts,
// links on its public URL, and the credit only while it is on.
func TestConfirmMailCarriesTheBrand(t *testing.T) {
	for _, credit := range []bool{true, false} {
		box, _ := confirmWithSettings(t, &settings.Update{Publication: settings.Publication{
			Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", Accent: "#b45309",
			PostalAddress: "Quayside Courier Ltd\n4 Rope Walk\nFalmouth TR11 3AB", FromAddress: "post@quayside.example", Credit: credit,
		}}, &Signup{Email: "zoe@example.org", Name: "Zoë", Lists: []string{"tides"}})
		pm := mailtest.Parse(t, box["zoe@example.org"])
		if got := pm.Header.Get("From"); !strings.Contains(got, "Quayside Courier") || !strings.Contains(got, "<post@quayside.example>") {
			t.Errorf("From = %q, want the stored publication's", got)
		}
		if got := pm.Header.Get("Subject"); got != "Confirm your subscription to Quayside Courier" {
			t.Errorf("Subject = %q", got)
		}
		for _, want := range []string{"Quayside Courier", `bgcolor="#b45309"`, "4 Rope Walk", `href="https://letters.quayside.example/confirm/`} {
			if !strings.Contains(pm.HTML, want) {
				t.Errorf("HTML part lacks %q", want)
			}
		}
		for _, want := range []string{"Quayside Courier Ltd\n4 Rope Walk\nFalmouth TR11 3AB", "https://letters.quayside.example/confirm/"} {
			if !strings.Contains(pm.Text, want) {
				t.Errorf("text part lacks %q:\n%s", want, pm.Text)
			}
		}
		for part, body := range map[string]string{"HTML": pm.HTML, "text": pm.Text} {
			if strings.Contains(body, "Env Name") || strings.Contains(body, "localhost") {
				t.Errorf("%s part shows the environment's name or URL", part)
			}
			if got := strings.Contains(body, "Sent with Bulletin"); got != credit {
				t.Errorf("%s part with credit %v shows the credit: %v", part, credit, got)
			}
		}
	}
}

// confirmWithSettings signs up each of in to the list "tides" on a new
// database whose publication settings are u, runs every confirmation task
// through a Confirmer that reads those settings, and returns the mails by
// address and the settings store.
func confirmWithSettings(t *testing.T, u *settings.Update, in ...*Signup) (mailbox, *settings.Store) {
	t.Helper()
	const secret = "brand-secret-0123456789abcdef!!!"
	ctx := context.Background()
	db := sqlitetest.Open(t)
	store := NewStore(db)
	store.SetSecret([]byte(secret))
	if err := store.CreateList(ctx, &List{Slug: "tides", Name: "Tide Tables", Public: true}); err != nil {
		t.Fatal(err)
	}
	pub := settings.NewStore(db, filepath.Join(t.TempDir(), "media"),
		settings.Defaults{PublicURL: "http://localhost:8080", From: "Env Name <env@localhost>"})
	if err := pub.Save(ctx, u); err != nil {
		t.Fatal(err)
	}
	q := &taskQueue{}
	signups := NewSignups(store, q, nil)
	for _, s := range in {
		if err := signups.Signup(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	signups.Close()
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	box := mailbox{}
	c := &Confirmer{Store: store, Signer: NewSigner([]byte(secret)), Templates: tmpl, Transport: box,
		From: &mail.Address{Name: "Env Name", Address: "env@localhost"}, BaseURL: "http://localhost:8080", Settings: pub}
	for _, task := range q.tasks {
		if err := c.ProcessTask(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	return box, pub
}
