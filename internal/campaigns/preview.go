package campaigns

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
)

// SampleReader is who the admin previews a campaign for: a reader with a
// name, and links that lead nowhere.
var SampleReader = mailer.Personal{Name: "Ada Reader", Email: "ada@example.com", Unsubscribe: "preview", Preferences: "preview"}

// Preview renders body as an editor should see it before sending: the
// sanitised HTML, with sample values where each reader's own will go. A bad
// personal field is a validation error on the body.
func Preview(body, name, email string) (string, error) {
	if err := checkFields(body); err != nil {
		return "", bulletin.Invalid(map[string]string{"body": err.Error()})
	}
	html, _, err := RenderFor(body, mailer.Personal{Name: name, Email: email})
	return html, err
}

// PreviewMail returns the HTML part of campaign id's mail to p, made as
// the send path makes it: the content of a send to its first list by id
// (contents) composed by the mailer for one reader. p's tokens stand in
// the links.
func (s *Service) PreviewMail(ctx context.Context, id int64, p mailer.Personal) (string, error) {
	cs, err := s.contents(ctx, id)
	if err != nil {
		return "", err
	}
	return htmlPartFor(ctx, cs[0], p)
}

// PreviewDraft is PreviewMail for a campaign not saved yet: the new
// campaign form's. Its body is rendered and wrapped as contents does; its
// first list, in the order given, gives the mail its list, as
// PreviewMail's does.
func (s *Service) PreviewDraft(ctx context.Context, c *Campaign, p mailer.Personal) (string, error) {
	if err := checkFields(c.Body); err != nil {
		return "", bulletin.Invalid(map[string]string{"body": err.Error()})
	}
	mk := mailer.NewMarkers()
	html, text, err := Render(c.Body, mk)
	if err != nil {
		return "", err
	}
	l, err := s.firstList(ctx, c.Lists)
	if err != nil {
		return "", err
	}
	l.preheader = strings.TrimSpace(c.Preheader)
	content, err := s.wrap(c.Subject, html, text, l, mk)
	if err != nil {
		return "", err
	}
	return htmlPartFor(ctx, content, p)
}

// firstList is the head of the first of the lists of slugs, in their
// order, that exists, or none: the list whose mail a reader on several
// of them gets (listOrder). It is public when any of them is, as contents
// has it.
func (s *Service) firstList(ctx context.Context, slugs []string) (listHead, error) {
	var l listHead
	if len(slugs) == 0 {
		return l, nil
	}
	b, err := json.Marshal(slugs)
	if err != nil {
		return l, fmt.Errorf("preview list: %w", err)
	}
	const q = `SELECT l.name, l.slug, l.from_address, l.reply_to,
		EXISTS (SELECT 1 FROM json_each(?1) p JOIN lists pl ON pl.slug = p.value WHERE pl.public = 1)
		FROM json_each(?1) g JOIN lists l ON l.slug = g.value ORDER BY g.key LIMIT 1`
	err = s.db.Read.QueryRowContext(ctx, q, string(b)).Scan(&l.name, &l.slug, &l.from, &l.replyTo, &l.public)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("preview list: %w", err)
	}
	return l, nil
}

// htmlPartFor composes content for p with mailer.SendNow, the test send's
// path, and returns the message's HTML part, decoded.
func htmlPartFor(ctx context.Context, content *queue.Content, p mailer.Personal) (string, error) {
	var keep keepOne
	payload := &queue.SendPayload{Content: *content, Recipients: []queue.Recipient{
		{Email: p.Email, Name: p.Name, Unsubscribe: p.Unsubscribe, Preferences: p.Preferences}}}
	if err := mailer.SendNow(ctx, &keep, payload); err != nil {
		return "", fmt.Errorf("compose preview: %w", err)
	}
	return htmlPart(keep.msg)
}

// keepOne is a mailer.Transport that keeps the message it is given.
type keepOne struct{ msg []byte }

func (k *keepOne) Send(_ context.Context, _ string, _ []string, msg []byte) error {
	k.msg = msg
	return nil
}

// htmlPart returns the decoded text/html part of a multipart message.
func htmlPart(raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("read preview: %w", err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return "", fmt.Errorf("read preview: %w", err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := r.NextPart() // decodes quoted-printable
		if err != nil {
			return "", fmt.Errorf("read preview: no HTML part: %w", err)
		}
		if mt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); mt == "text/html" {
			b, err := io.ReadAll(part)
			return strings.ReplaceAll(string(b), "\r\n", "\n"), err
		}
	}
}
