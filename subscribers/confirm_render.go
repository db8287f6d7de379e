package subscribers

import (
	"net/mail"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/mailer"
)

// A confirmRenderer renders the confirmations of one task. The templates
// run once for each shape of mail (the lists it names), with markers in
// place of the reader's address and link token; each mail then gets its
// own values put in place of the markers, escaped in the HTML part as
// html/template escapes text. A task of 256 confirmations runs the
// templates once or a few times, not 256 times.
//
// A confirmation shows no name: until its reader confirms, the name is
// whatever the one who typed the address wrote, and a name such as "your
// account is locked, log in at https://…" would go, in the publisher's
// mail, to any address. A reader confirmed already, asked to confirm more
// lists, is the exception: their stored name is their own (confirmed, or
// an editor's), and their mail (more) greets them by it.
//
// Each shape is checked when it is first rendered: a probe reader whose
// address holds every character html/template escapes is rendered
// both ways, and a shape whose outputs differ (a template that puts a
// field where other escaping applies, such as an attribute or a URL) is
// rendered mail by mail.
//
// A shape that passes is also composed once into a whole message around
// the same markers (mailer.CampaignMessage, as a campaign is), so that each
// mail of it is filled in, not composed anew with jordan-wright/email.
type confirmRenderer struct {
	c      *Confirmer
	pub    settings.Publication
	mk     mailer.Markers
	marks  [2]string // email, token: mk's markers of those fields
	date   time.Time // of every mail of the task
	shapes map[string]*confirmShape
}

func newConfirmRenderer(c *Confirmer, pub settings.Publication) *confirmRenderer {
	r := &confirmRenderer{c: c, pub: pub, shapes: map[string]*confirmShape{}, date: time.Now()}
	// Letters and digits only: every escaper of html/template leaves them
	// as they are, in text, attributes and URLs.
	r.mk = mailer.NewMarkers()
	r.marks = [2]string{r.mk.Of(mailer.Email), r.mk.Of(mailer.Link)}
	return r
}

// from and subject are the confirmation's From and Subject.
func (r *confirmRenderer) from() *mail.Address {
	return &mail.Address{Name: r.pub.FromName, Address: r.pub.FromAddress}
}

func (r *confirmRenderer) subject() string { return "Confirm your subscription to " + r.pub.Name }

// headers are the confirmation's extra fields: Auto-Submitted, and the
// publication's Reply-To, as its other mail has, so that a reader who
// answers "I never signed up" reaches the desk and not the sending
// address.
func (r *confirmRenderer) headers() [][2]string {
	// Sent by a program on a web form's signup, not by a person (RFC
	// 3834): a reader's vacation reply is not sent back to it.
	h := [][2]string{{"Auto-Submitted", "auto-generated"}}
	a, err := mail.ParseAddress(r.pub.ReplyTo)
	if err != nil {
		return h
	}
	return append(h, [2]string{"Reply-To", a.String()})
}

// message appends the confirmation to sub with the link token, composed,
// to dst and returns it.
func (r *confirmRenderer) message(dst []byte, sub *Subscriber, token string) ([]byte, error) {
	shape, err := r.shape(sub.Lists)
	if err != nil {
		return nil, err
	}
	if shape.msg != nil {
		p := mailer.Personal{Email: sub.Email, Link: token}
		if shape.msg.Check(p) == nil {
			return shape.msg.Compose(dst, p)
		}
	}
	text, html, err := r.render(sub, token)
	if err != nil {
		return nil, err
	}
	msg := &mailer.Message{
		From: r.from(), To: &mail.Address{Address: sub.Email},
		Subject: r.subject(), Text: text, HTML: html, Date: r.date, Headers: r.headers(),
	}
	raw, err := msg.Compose()
	return append(dst, raw...), err
}

// more appends the confirmation to sub, a confirmed reader asked to
// confirm more lists, with the link token, composed, to dst and returns
// it. It greets them by their own name, names the lists they keep, which
// ignoring it does not end, and carries their preferences and
// unsubscribe links, so it is rendered mail by mail, as the
// already-subscribed mail is, not filled into a shape.
func (r *confirmRenderer) more(dst []byte, sub *claim, token string) ([]byte, error) {
	d := r.data(sub.Email, token, sub.Lists)
	d.Name, d.Confirmed, d.Keeps = oneLineName(sub.Name), true, sub.keeps
	d.PreferencesURL, d.UnsubscribeURL = r.links(sub.ID)
	text, html, err := r.c.Templates.Mail("confirm", d)
	if err != nil {
		return dst, err
	}
	msg := &mailer.Message{
		From: r.from(), To: &mail.Address{Address: sub.Email},
		Subject: r.subject(), Text: text, HTML: html, Date: r.date, Headers: r.headers(),
	}
	raw, err := msg.Compose()
	return append(dst, raw...), err
}

// data returns the templates' data for a reader with these fields.
func (r *confirmRenderer) data(email, token string, lists []string) ConfirmMail {
	return ConfirmMail{
		Email: email, Lists: lists, BaseURL: r.pub.PublicURL,
		ConfirmURL: r.pub.PublicURL + "/confirm/" + token,
		Publisher:  r.pub.Name, Brand: r.pub.Brand(),
	}
}

// render returns the text and HTML parts of the confirmation to sub with
// the link token.
func (r *confirmRenderer) render(sub *Subscriber, token string) (text, html string, err error) {
	shape, err := r.shape(sub.Lists)
	if err != nil {
		return "", "", err
	}
	if shape.direct {
		return r.c.Templates.Mail("confirm", r.data(sub.Email, token, sub.Lists))
	}
	text, html = r.fill(shape, sub.Email, token)
	return text, html, nil
}

// fill puts the reader's values in place of the markers. The shape was
// cut at the markers beforehand, so a value that holds a marker's text is
// only text.
func (r *confirmRenderer) fill(shape *confirmShape, email, token string) (text, html string) {
	shown := mailer.AddressForPeople(email)
	text = join(shape.text, [2]string{shown, token})
	html = join(shape.html, [2]string{htmlTextEscaper.Replace(shown), token})
	return text, html
}

// htmlTextEscaper escapes as html/template does a value in text and in a
// quoted attribute. The shape check compares against html/template
// itself, so a difference falls back to rendering each mail.
var htmlTextEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;",
	"+", "&#43;", "<", "&lt;", ">", "&gt;")

// probeEmail holds every character htmlTextEscaper changes.
const probeEmail = "z+o'\"&<x>@example.com"

// shape renders, once, the shape of mail naming these lists, and checks
// it against a full rendering.
func (r *confirmRenderer) shape(lists []string) (*confirmShape, error) {
	key := strings.Join(lists, "\x00")
	if s, ok := r.shapes[key]; ok {
		return s, nil
	}
	text, html, err := r.c.Templates.Mail("confirm", r.data(r.marks[0], r.marks[1], lists))
	if err != nil {
		return nil, err
	}
	s := &confirmShape{text: r.cut(text), html: r.cut(html)}
	token := r.c.Signer.Sign(TokenConfirm, 1, ConfirmTTL)
	text, html, err = r.c.Templates.Mail("confirm", r.data(probeEmail, token, lists))
	if err != nil {
		return nil, err
	}
	gotText, gotHTML := r.fill(s, probeEmail, token)
	s.direct = gotText != text || gotHTML != html
	if !s.direct {
		// A shape the library cannot compose around its markers goes
		// mail by mail: slower, the same mail.
		s.msg, _ = mailer.NewCampaignMessage(mailer.CampaignContent{
			From: r.from(), Subject: r.subject(), Date: r.date, Headers: r.headers(),
			Text: join(s.text, r.marks), HTML: join(s.html, r.marks),
			Markers: r.mk, EscapeHTML: htmlTextEscaper.Replace,
		})
	}
	r.shapes[key] = s
	return s, nil
}

// A confirmShape is one shape's rendering, cut at the markers.
type confirmShape struct {
	text, html []piece
	direct     bool // render each mail in full
	// msg is the whole message around the markers; nil when direct.
	msg *mailer.CampaignMessage
}

// A piece of a rendered part: literal text, then the field at a marker
// (0 email, 1 token; -1 at the end).
type piece struct {
	lit   string
	field int
}

// cut splits a rendering at the markers.
func (r *confirmRenderer) cut(s string) []piece {
	var out []piece
	for {
		at, field := len(s), -1
		for f, m := range r.marks {
			if i := strings.Index(s[:at], m); i >= 0 {
				at, field = i, f
			}
		}
		if field < 0 {
			return append(out, piece{lit: s, field: -1})
		}
		out = append(out, piece{lit: s[:at], field: field})
		s = s[at+len(r.marks[field]):]
	}
}

// join puts the pieces together with the fields' values.
func join(pieces []piece, fields [2]string) string {
	n := 0
	for _, p := range pieces {
		n += len(p.lit)
		if p.field >= 0 {
			n += len(fields[p.field])
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range pieces {
		b.WriteString(p.lit)
		if p.field >= 0 {
			b.WriteString(fields[p.field])
		}
	}
	return b.String()
}
