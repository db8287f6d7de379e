package subscribers

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/templates"
)

// A reader who signed up as yamada@例え.jp is stored and mailed at the
// domain's IDNA form, but the confirmation names the address as they
// typed it, in both parts, on the path that fills markers in as on the
// one that renders each mail; the To header keeps the form mail carries.
func TestConfirmationNamesAnIDNAddressAsTyped(t *testing.T) {
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c := &Confirmer{Signer: NewSigner([]byte("test secret that is long enough!")), Templates: tmpl,
		From: &mail.Address{Name: "Gazette", Address: "news@news.example"}, BaseURL: "https://news.example"}
	pub := settings.Publication{Name: "Gazette", PublicURL: "https://news.example", FromAddress: "news@news.example"}
	r := newConfirmRenderer(c, pub)
	sub := &Subscriber{ID: 7, Email: "yamada@xn--r8jz45g.jp", Lists: []string{"Sport"}}
	token := c.Signer.Sign(TokenConfirm, sub.ID, ConfirmTTL)

	// The full rendering, as a template override gets it.
	text, html, err := tmpl.Mail("confirm", r.data(sub.Email, token, sub.Lists))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "yamada@例え.jp") || !strings.Contains(html, "yamada@例え.jp") {
		t.Errorf("the rendered confirmation does not name yamada@例え.jp:\n%s\n%s", text, html)
	}
	// The message composed around the markers.
	raw, err := r.message(nil, sub, token)
	if err != nil {
		t.Fatal(err)
	}
	got := mailtest.Parse(t, raw)
	for part, body := range map[string]string{"text": got.Text, "HTML": got.HTML} {
		if !strings.Contains(body, "yamada@例え.jp") || strings.Contains(body, "xn--") {
			t.Errorf("the composed confirmation's %s part names the address as stored:\n%s", part, body)
		}
	}
	if to := got.Header.Get("To"); to != "<yamada@xn--r8jz45g.jp>" && to != "yamada@xn--r8jz45g.jp" {
		t.Errorf("To %q, want the address as stored", to)
	}
}
