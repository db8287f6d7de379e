package subscribers

import (
	"context"
	"mime"
	"net/mail"
	"path/filepath"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/templates"
)

// The confirmation carries the publication's Reply-To, as its other mail
// does, whether it is filled in around its markers (a plain name) or
// rendered in full (a name the fast path cannot take); without a Reply-To
// in the settings it has none.
func TestConfirmMailCarriesTheReplyTo(t *testing.T) {
	for _, replyTo := range []string{"Desk Ø <desk@quayside.example>", ""} {
		ctx := context.Background()
		db := sqlitetest.Open(t)
		store := NewStore(db)
		store.SetSecret([]byte("reply-secret-0123456789abcdef!!!"))
		if err := store.CreateList(ctx, &List{Slug: "tides", Name: "Tide Tables", Public: true}); err != nil {
			t.Fatal(err)
		}
		pub := settings.NewStore(db, filepath.Join(t.TempDir(), "media"),
			settings.Defaults{PublicURL: "http://localhost:8080", From: "Env Name <env@localhost>"})
		if err := pub.Save(ctx, &settings.Update{Publication: settings.Publication{
			Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", Accent: "#b45309",
			PostalAddress: "4 Rope Walk, Falmouth", FromAddress: "post@quayside.example", ReplyTo: replyTo,
		}}); err != nil {
			t.Fatal(err)
		}
		q := &taskQueue{}
		signups := NewSignups(store, q, nil)
		for _, in := range []*Signup{
			{Email: "zoe@example.org", Name: "Zoë", Lists: []string{"tides"}},
			{Email: "odd@example.org", Name: "Odd", Lists: []string{"tides"}},
		} {
			if err := signups.Signup(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		signups.Close()
		// A name with a control character, stored before names were
		// checked, goes the slow way.
		if _, err := db.Write.ExecContext(ctx, "UPDATE subscribers SET name = 'Odd\x01One' WHERE email = 'odd@example.org'"); err != nil {
			t.Fatal(err)
		}
		tmpl, err := templates.Load("")
		if err != nil {
			t.Fatal(err)
		}
		box := mailbox{}
		c := &Confirmer{Store: store, Signer: NewSigner([]byte("reply-secret-0123456789abcdef!!!")), Templates: tmpl, Transport: box,
			From: &mail.Address{Name: "Env Name", Address: "env@localhost"}, BaseURL: "http://localhost:8080", Settings: pub}
		for _, task := range q.tasks {
			if err := c.ProcessTask(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		for _, to := range []string{"zoe@example.org", "odd@example.org"} {
			raw, ok := box[to]
			if !ok {
				t.Fatalf("no confirmation to %s", to)
			}
			pm := mailtest.Parse(t, raw)
			got, err := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Reply-To"))
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if replyTo != "" {
				want = "Desk Ø <desk@quayside.example>"
			}
			if got != want {
				t.Errorf("settings Reply-To %q: the confirmation to %s has Reply-To %q, want %q", replyTo, to, got, want)
			}
		}
	}
}
