package subscribers

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/mail"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/templates"
)

// TestConfirmMastheadLogoHasItsSize: the confirmation shows the logo of
// the settings with the width and height its file gives, as attributes
// (Outlook on Windows reads no CSS size) and in its style.
func TestConfirmMastheadLogoHasItsSize(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t)
	store := NewStore(db)
	store.SetSecret([]byte("logo-secret-0123456789abcdef!!!!"))
	if err := store.CreateList(ctx, &List{Slug: "tides", Name: "Tide Tables", Public: true}); err != nil {
		t.Fatal(err)
	}
	pub := settings.NewStore(db, filepath.Join(t.TempDir(), "media"),
		settings.Defaults{PublicURL: "http://localhost:8080", From: "Env Name <env@localhost>"})
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewGray(image.Rect(0, 0, 96, 96))); err != nil {
		t.Fatal(err)
	}
	if err := pub.Save(ctx, &settings.Update{Publication: settings.Publication{
		Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", FromAddress: "post@quayside.example", Credit: true,
	}, Logo: logo.Bytes()}); err != nil {
		t.Fatal(err)
	}
	q := &taskQueue{}
	signups := NewSignups(store, q, nil)
	err := signups.Signup(ctx, &Signup{Email: "zoe@example.org", Lists: []string{"tides"}})
	signups.Close()
	if err != nil || len(q.tasks) != 1 {
		t.Fatalf("signup: %v, %d tasks", err, len(q.tasks))
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	box := mailbox{}
	c := &Confirmer{Store: store, Signer: NewSigner([]byte("logo-secret-0123456789abcdef!!!!")), Templates: tmpl, Transport: box,
		From: &mail.Address{Name: "Env Name", Address: "env@localhost"}, BaseURL: "http://localhost:8080", Settings: pub}
	if err := c.ProcessTask(ctx, q.tasks[0]); err != nil {
		t.Fatal(err)
	}
	pm := mailtest.Parse(t, box["zoe@example.org"])
	p, _ := pub.Stored(ctx)
	want := `<img src="https://letters.quayside.example/media/` + p.Logo + `" alt="Quayside Courier" width="48" height="48" ` +
		`style="display:block;width:48px;height:48px;border:0;">`
	if got := regexp.MustCompile(`<img [^>]*>`).FindString(pm.HTML); got != want {
		t.Errorf("masthead\n got %s\nwant %s", got, want)
	}
}
