package subscribers

import (
	htmltemplate "html/template"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/templates"
)

// countingRenderer counts the templates' runs.
type countingRenderer struct {
	MailRenderer
	runs int
}

func (r *countingRenderer) Mail(name string, data any) (string, string, error) {
	r.runs++
	return r.MailRenderer.Mail(name, data)
}

// The confirmations of one task, rendered once per shape with markers,
// are byte for byte what rendering each mail in full gives, for readers
// whose addresses hold what html/template escapes, and the text of
// another reader's marker. None shows the reader's name, in either part or
// in To: until they confirm, it is anyone's text.
func TestConfirmRendererMatchesFullRendering(t *testing.T) {
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingRenderer{MailRenderer: tmpl}
	c := &Confirmer{Signer: NewSigner([]byte("test secret that is long enough!")), Templates: counter,
		From: &mail.Address{Name: "Gazette", Address: "news@news.example"}, BaseURL: "https://news.example"}
	pub := settings.Publication{Name: "Harbour & <Quay> Gazette", PublicURL: "https://news.example",
		Accent: "#0b5cad", FromName: "Gazette", FromAddress: "news@news.example"}
	r := newConfirmRenderer(c, pub)
	readers := []*Subscriber{
		{ID: 1, Name: "Zoë O'Hara", Email: "zoe+news@example.org", Lists: []string{"Sport", "Café & Bar"}},
		{ID: 2, Name: "", Email: "anon@example.org", Lists: []string{"Sport", "Café & Bar"}},
		{ID: 3, Name: `<script>alert("x")</script>`, Email: `o'"q&<b>@example.org`, Lists: []string{"Sport", "Café & Bar"}},
		{ID: 4, Name: "Null\x00Byte", Email: "x@example.org", Lists: nil},
		{ID: 5, Name: r.marks[0] + " " + r.marks[1], Email: r.marks[1] + "@example.org", Lists: []string{"Sport"}},
		{ID: 6, Name: "Ann", Email: "ann@example.org", Lists: []string{"Sport", "Café & Bar"}},
	}
	for _, sub := range readers {
		token := c.Signer.Sign(TokenConfirm, sub.ID, ConfirmTTL)
		text, html, err := r.render(sub, token)
		if err != nil {
			t.Fatal(err)
		}
		wantText, wantHTML, err := tmpl.Mail("confirm", r.data(sub.Email, token, sub.Lists))
		if err != nil {
			t.Fatal(err)
		}
		if text != wantText {
			t.Errorf("reader %d: text part\n%s\nwant\n%s", sub.ID, text, wantText)
		}
		if html != wantHTML {
			t.Errorf("reader %d: HTML part\n%s\nwant\n%s", sub.ID, html, wantHTML)
		}
		// The whole message, filled in around the markers, reads back as
		// the one composed from the full rendering.
		raw, err := r.message(nil, sub, token)
		want, wantErr := (&mailer.Message{From: r.from(), To: &mail.Address{Address: sub.Email},
			Subject: r.subject(), Text: wantText, HTML: wantHTML, Date: r.date}).Compose()
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("reader %d: composed with error %v, want %v", sub.ID, err, wantErr)
		}
		if err != nil {
			continue // an address no mail can carry, refused both ways
		}
		got, full := mailtest.Parse(t, raw), mailtest.Parse(t, want)
		if sub.Name != "" && strings.Contains(string(raw)+got.Text+got.HTML, sub.Name) {
			t.Errorf("reader %d: the confirmation shows their name %q", sub.ID, sub.Name)
		}
		if got.Text != full.Text || got.HTML != full.HTML {
			t.Errorf("reader %d: message decodes to\n%s\n%s\nwant\n%s\n%s", sub.ID, got.Text, got.HTML, full.Text, full.HTML)
		}
		for _, h := range []string{"From", "To", "Subject", "Date", "Mime-Version"} {
			if got.Header.Get(h) != full.Header.Get(h) {
				t.Errorf("reader %d: %s %q, want %q", sub.ID, h, got.Header.Get(h), full.Header.Get(h))
			}
		}
	}
	composed := 0
	for _, s := range r.shapes {
		if s.msg != nil {
			composed++
		}
	}
	if composed != len(r.shapes) {
		t.Errorf("%d of %d shapes composed once around their markers", composed, len(r.shapes))
	}
	for key, s := range r.shapes {
		if s.direct {
			t.Errorf("shape %q is rendered mail by mail; the embedded template should fill in", key)
		}
	}
	// Three shapes (two lists, none, one), two runs each for the check:
	// not six mails' worth plus.
	if want := 2 * len(r.shapes); counter.runs != want || len(r.shapes) != 3 {
		t.Errorf("%d template runs for %d shapes, want 3 shapes and %d runs", counter.runs, len(r.shapes), want)
	}
}

// attrRenderer puts the address in a URL, where html/template escapes
// otherwise than in text.
type attrRenderer struct{ t *htmltemplate.Template }

func (a attrRenderer) Mail(_ string, data any) (string, string, error) {
	var b strings.Builder
	if err := a.t.Execute(&b, data); err != nil {
		return "", "", err
	}
	return "text", b.String(), nil
}

// A template that puts a field where the markers' escaping would be wrong
// is rendered mail by mail, and still right.
func TestConfirmRendererFallsBackWhereEscapingDiffers(t *testing.T) {
	at := attrRenderer{htmltemplate.Must(htmltemplate.New("confirm").Parse(
		`<a href="mailto:{{.Email}}?n={{.Name}}">{{.Name}}</a> <a href="{{.ConfirmURL}}">go</a>`))}
	c := &Confirmer{Signer: NewSigner([]byte("test secret that is long enough!")), Templates: at}
	r := newConfirmRenderer(c, settings.Publication{Name: "G", PublicURL: "https://news.example"})
	sub := &Subscriber{ID: 7, Name: "A&B +c", Email: "a+b@example.org"}
	token := c.Signer.Sign(TokenConfirm, sub.ID, ConfirmTTL)
	_, html, err := r.render(sub, token)
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := at.Mail("confirm", r.data(sub.Email, token, nil))
	if html != want {
		t.Errorf("HTML part\n%s\nwant\n%s", html, want)
	}
	if s := r.shapes[""]; s == nil || !s.direct {
		t.Errorf("shape %+v: want it rendered mail by mail", s)
	}
}

// BenchmarkConfirmRender compares the templates run for each mail with
// the shape filled in for each mail.
func BenchmarkConfirmRender(b *testing.B) {
	tmpl, err := templates.Load("")
	if err != nil {
		b.Fatal(err)
	}
	c := &Confirmer{Signer: NewSigner([]byte("test secret that is long enough!")), Templates: tmpl}
	pub := settings.Publication{Name: "Harbour Gazette", PublicURL: "https://news.example", Accent: "#0b5cad"}
	sub := &Subscriber{ID: 1, Name: "Zoë O'Hara", Email: "zoe+news@example.org", Lists: []string{"Sport", "Harbour"}}
	token := c.Signer.Sign(TokenConfirm, sub.ID, ConfirmTTL)
	b.Run("templates", func(b *testing.B) {
		r := newConfirmRenderer(c, pub)
		for b.Loop() {
			if _, _, err := tmpl.Mail("confirm", r.data(sub.Email, token, sub.Lists)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("shape", func(b *testing.B) {
		r := newConfirmRenderer(c, pub)
		for b.Loop() {
			if _, _, err := r.render(sub, token); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A confirmation composed mail by mail (a template whose escaping the
// markers cannot follow) carries the publication's Reply-To too.
func TestConfirmReplyToWhenRenderedMailByMail(t *testing.T) {
	at := attrRenderer{htmltemplate.Must(htmltemplate.New("confirm").Parse(
		`<a href="mailto:{{.Email}}?x=1">{{.Email}}</a> <a href="{{.ConfirmURL}}">go</a>`))}
	c := &Confirmer{Signer: NewSigner([]byte("test secret that is long enough!")), Templates: at}
	r := newConfirmRenderer(c, settings.Publication{Name: "G", PublicURL: "https://news.example",
		FromName: "G", FromAddress: "news@news.example", ReplyTo: "Desk <desk@news.example>"})
	sub := &Subscriber{ID: 7, Email: "a+b@example.org"}
	raw, err := r.message(nil, sub, c.Signer.Sign(TokenConfirm, sub.ID, ConfirmTTL))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.shapes[""]; s == nil || !s.direct {
		t.Fatalf("shape %+v: want it rendered mail by mail", s)
	}
	if got := mailtest.Parse(t, raw).Header.Get("Reply-To"); got != `"Desk" <desk@news.example>` {
		t.Errorf("Reply-To %q, want the publication's", got)
	}
}
