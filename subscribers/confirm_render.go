package subscribers

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/bulletinhq/bulletin/internal/settings"
)

// A confirmRenderer renders the confirmations of one task. The templates
// run once for each shape of mail (with or without a name, the lists it
// names), with markers in place of the reader's name, address and link
// token; each mail then gets its own values put in place of the markers,
// escaped in the HTML part as html/template escapes text. A task of 256
// confirmations runs the templates once or a few times, not 256 times.
//
// Each shape is checked when it is first rendered: a probe reader whose
// name and address hold every character html/template escapes is rendered
// both ways, and a shape whose outputs differ (a template that puts a
// field where other escaping applies, such as an attribute or a URL) is
// rendered mail by mail.
type confirmRenderer struct {
	c      *Confirmer
	pub    settings.Publication
	marks  [3]string // name, email, token
	shapes map[string]*confirmShape
}

func newConfirmRenderer(c *Confirmer, pub settings.Publication) *confirmRenderer {
	r := &confirmRenderer{c: c, pub: pub, shapes: map[string]*confirmShape{}}
	var b [12]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	// Letters and digits only: every escaper of html/template leaves them
	// as they are, in text, attributes and URLs.
	r.marks = [3]string{"qn" + h + "n", "qe" + h + "e", "qt" + h + "t"}
	return r
}

// data returns the templates' data for a reader with these fields.
func (r *confirmRenderer) data(name, email, token string, lists []string) ConfirmMail {
	return ConfirmMail{
		Name: name, Email: email, Lists: lists, BaseURL: r.pub.PublicURL,
		ConfirmURL: r.pub.PublicURL + "/confirm/" + token,
		Publisher:  r.pub.Name, Brand: r.pub.Brand(),
	}
}

// render returns the text and HTML parts of the confirmation to sub with
// the link token.
func (r *confirmRenderer) render(sub *Subscriber, token string) (text, html string, err error) {
	shape, err := r.shape(sub.Name != "", sub.Lists)
	if err != nil {
		return "", "", err
	}
	if shape.direct {
		return r.c.Templates.Mail("confirm", r.data(sub.Name, sub.Email, token, sub.Lists))
	}
	text, html = r.fill(shape, sub.Name, sub.Email, token)
	return text, html, nil
}

// fill puts the reader's values in place of the markers. The shape was
// cut at the markers beforehand, so a value that holds a marker's text is
// only text.
func (r *confirmRenderer) fill(shape *confirmShape, name, email, token string) (text, html string) {
	text = join(shape.text, [3]string{name, email, token})
	html = join(shape.html, [3]string{htmlTextEscaper.Replace(name), htmlTextEscaper.Replace(email), token})
	return text, html
}

// htmlTextEscaper escapes as html/template does a value in text and in a
// quoted attribute. The shape check compares against html/template
// itself, so a difference falls back to rendering each mail.
var htmlTextEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;",
	"+", "&#43;", "<", "&lt;", ">", "&gt;")

// probeName and probeEmail hold every character htmlTextEscaper changes.
const (
	probeName  = "Zoë <O'Hara> & \"Co\" + 1\x00"
	probeEmail = "z+o'\"&<x>@example.com"
)

// shape renders, once, the shape of mail for a reader with or without a
// name and these lists, and checks it against a full rendering.
func (r *confirmRenderer) shape(named bool, lists []string) (*confirmShape, error) {
	key := strings.Join(lists, "\x00")
	if named {
		key = "n\x00" + key
	}
	if s, ok := r.shapes[key]; ok {
		return s, nil
	}
	name, probe := "", ""
	if named {
		name, probe = r.marks[0], probeName
	}
	text, html, err := r.c.Templates.Mail("confirm", r.data(name, r.marks[1], r.marks[2], lists))
	if err != nil {
		return nil, err
	}
	s := &confirmShape{text: r.cut(text), html: r.cut(html)}
	token := r.c.Signer.Sign(TokenConfirm, 1, ConfirmTTL)
	text, html, err = r.c.Templates.Mail("confirm", r.data(probe, probeEmail, token, lists))
	if err != nil {
		return nil, err
	}
	gotText, gotHTML := r.fill(s, probe, probeEmail, token)
	s.direct = gotText != text || gotHTML != html
	r.shapes[key] = s
	return s, nil
}

// A confirmShape is one shape's rendering, cut at the markers.
type confirmShape struct {
	text, html []piece
	direct     bool // render each mail in full
}

// A piece of a rendered part: literal text, then the field at a marker
// (0 name, 1 email, 2 token; -1 at the end).
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
func join(pieces []piece, fields [3]string) string {
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
