package campaigns

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"mime"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
	"github.com/bulletinhq/bulletin/templates"
)

// Defaults of the fan-out.
const (
	DefaultPageSize  = 500
	DefaultMaxQueued = 50_000
)

// mailData is what templates/mail/campaign.{html,txt} are given.
type mailData struct {
	Subject        string
	Preheader      string
	Body           template.HTML
	Text           string
	Publisher      string
	Brand          templates.Brand
	ListName       string
	UnsubscribeURL string
	PreferencesURL string
	// ArchiveURL is the issue's page in the public archive, for the
	// footer's "View in your browser"; "" for a mail with none (one to
	// private lists only, a welcome, a digest's preview).
	ArchiveURL string
}

// The text part's footer keeps to textWidth columns as the body does:
// the names of the publisher and of the list, and a line of the postal
// address, are the settings' and may be long. The list's name in the
// sentence saying why is kept whole, as the confirmation keeps its names
// (mailer.WrapProse).

// TextPublisher is the publisher's name, wrapped for the text part.
func (d mailData) TextPublisher() string { return wrap(d.Publisher, textWidth) }

// TextReason says why the reader gets the mail, wrapped for the text part.
// The list's name is in curly quotes, as the HTML part's footer has it: a
// name with straight quotes of its own ("Été "Spécial"") read as quotes
// in quotes in straight ones.
func (d mailData) TextReason() string {
	return mailer.WrapProse("You receive this because you joined the list “"+d.ListName+"”.", textWidth, d.ListName)
}

// TextPostalLines are the lines of the postal address, each wrapped for
// the text part.
func (d mailData) TextPostalLines() []string {
	lines := d.Brand.PostalLines()
	for i, l := range lines {
		lines[i] = wrap(l, textWidth)
	}
	return lines
}

// contents renders campaign id into what every message of it to each of
// its lists shares, once: the body inside the mail templates, with
// markers drawn for this render where the personal fields and links go,
// and the list's name in the footer and List-Id, its From and Reply-To.
// They come in the order the lists were given (listOrder), as the
// fan-out numbers its batches (see batchNumber). A campaign's body is
// rendered again from its Markdown, once for all its lists; a digest's
// was rendered when it was
// built and holds no personal field. A draft whose lists were all deleted
// still renders, as PreviewDraft renders one with none chosen yet: once,
// with no list's head, so its preview and test send are the editor's
// check before choosing a list. It cannot be sent: it reaches nobody.
func (s *Service) contents(ctx context.Context, id int64) (listContents, error) {
	// A campaign to a public list has a page in the archive (issueWhere)
	// once it starts sending, the same for all its lists: every mail of it
	// links there; a test send or a preview before it starts links to the
	// archive's first page.
	rows, err := s.db.Read.QueryContext(ctx, `SELECT c.kind, c.subject, c.preheader, c.body, c.body_html, c.body_text, c.language,
		COALESCE(l.name, ''), COALESCE(l.slug, ''), COALESCE(l.from_address, ''), COALESCE(l.reply_to, ''),
		EXISTS (SELECT 1 FROM campaign_lists pcl JOIN lists pl ON pl.id = pcl.list_id WHERE pcl.campaign_id = c.id AND pl.public = 1),
		c.started_at IS NOT NULL
		FROM campaigns c LEFT JOIN (campaign_lists cl JOIN lists l ON l.id = cl.list_id) ON cl.campaign_id = c.id
		WHERE c.id = ? ORDER BY `+listOrder, id)
	if err != nil {
		return nil, fmt.Errorf("campaign content: %w", err)
	}
	defer rows.Close()
	var out listContents
	var html, text string // the body, rendered for the first list
	mk := mailer.NewMarkers()
	for rows.Next() {
		var kind, subject, pre, body, storedHTML, storedText string
		var l listHead
		var public, started bool
		if err := rows.Scan(&kind, &subject, &pre, &body, &storedHTML, &storedText, &l.lang, &l.name, &l.slug, &l.from, &l.replyTo, &public, &started); err != nil {
			return nil, fmt.Errorf("campaign content: %w", err)
		}
		switch {
		case len(out) > 0:
		case kind == "campaign":
			if html, text, err = Render(body, mk); err != nil {
				return nil, fmt.Errorf("campaign %d: %w", id, err)
			}
		default:
			html, text = storedHTML, storedText
		}
		l.preheader = pre
		if l.public = public; started {
			l.issue = id
		}
		c, err := s.wrap(subject, html, text, l, mk)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("campaign content: %w", err)
	}
	if out == nil {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no campaign %d.", id)
	}
	return out, nil
}

// listContents are a campaign's contents, one for each of its lists in
// their order (listOrder).
type listContents []*queue.Content

// of is the content of batch b: that of its readers' list.
func (cs listContents) of(b int64) *queue.Content { return cs[batchList(b, len(cs))] }

// listHead is what a mail takes from the list it goes to, and the
// campaign's own preheader when it has one. lang is the language the
// campaign started sending in (its language column), "" for one not
// started, whose mail is in the language set now. public says the
// campaign goes to a public list, so that its mail links to its page in
// the archive: that of issue, or, for a preview of one not saved or
// built yet (issue 0), the archive's first page.
type listHead struct {
	name, slug, from, replyTo, preheader, lang string
	public                                     bool
	issue                                      int64
}

// archiveURL is the page of issue id in the public archive under base,
// or the archive's first page for id 0.
func archiveURL(base string, id int64) string {
	if id == 0 {
		return base + "/archive"
	}
	return base + "/archive/" + strconv.FormatInt(id, 10)
}

// wrap puts a rendered body inside the mail templates, with the footer,
// the personal links and the list's headers: what every message of a
// campaign, a digest or a welcome mail shares. html and text hold mk's
// markers.
func (s *Service) wrap(subject, html, text string, l listHead, mk mailer.Markers) (*queue.Content, error) {
	// The settings are cached in memory: no request's context to wait on.
	pub := s.publication(context.Background())
	// List-Unsubscribe and List-Id take ASCII only (RFC 8058, RFC 2919):
	// a host stored as typed, outside ASCII, would make the composer
	// encode the whole header as RFC 2047 words, which no mailbox reads as
	// a one-click unsubscribe. Every link of the mail names the host as
	// DNS does too. A URL the settings would refuse is left as it is.
	pub.PublicURL, _ = settings.TidyURL(pub.PublicURL, "")
	base := pub.PublicURL
	// The rules under headings holding personal fields are made before
	// the mail is composed, which makes their fields' part for each reader.
	text = mk.Rules(text)
	// A campaign keeps the language it started in: a setting changed
	// while it sends, or while it is paused, does not split it between
	// two languages.
	brand := pub.Brand()
	if l.lang != "" {
		brand.Language = l.lang
	}
	d := mailData{
		Subject: subject, Preheader: cmp.Or(l.preheader, personalPreheader(text, mk)), Body: template.HTML(html),
		Text:      strings.TrimRight(text, "\n") + "\n", // one blank line before the footer
		Publisher: pub.Name, Brand: brand, ListName: l.name,
		UnsubscribeURL: base + "/unsubscribe/" + mk.Of(mailer.Unsubscribe),
		PreferencesURL: base + "/preferences/" + mk.Of(mailer.Preferences),
	}
	if l.public {
		d.ArchiveURL = archiveURL(base, l.issue)
	}
	textPart, htmlPart, err := s.Templates.Mail("campaign", d)
	if err != nil {
		return nil, err
	}
	from := cmp.Or(l.from, pub.From())
	return &queue.Content{From: from, ReplyTo: headerAddress(cmp.Or(l.replyTo, pub.ReplyTo)), Subject: subject,
		HTML: htmlPart, Text: textPart, ListID: listIDHeader(l.name, l.slug, listIDHost(base, from)), BaseURL: base, Markers: string(mk)}, nil
}

// headerAddress is addr, one address a list stores (validated then), as a
// header writes it: a name not in ASCII encoded per RFC 2047.
func headerAddress(addr string) string {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return ""
	}
	return a.String()
}

// listIDHost is the namespace of a list's List-Id: the public URL's host,
// a name the publisher holds. An address there (a test set-up, or a site
// served by IP) is no name, and an IPv6 one cannot stand in the header at
// all: the domain of the mail's From stands in for it then.
func listIDHost(base, from string) string {
	host := ""
	if u, err := url.Parse(base); err == nil {
		host = u.Hostname()
	}
	if host != "" && net.ParseIP(host) == nil {
		return host
	}
	if a, err := mail.ParseAddress(from); err == nil {
		if _, domain, ok := strings.Cut(a.Address, "@"); ok && domain != "" && net.ParseIP(strings.Trim(domain, "[]")) == nil {
			return domain
		}
	}
	return "localhost"
}

// listIDHeader is the List-Id value of RFC 2919, "Name <slug.host>", the
// name quoted when it has specials, or encoded per RFC 2047 when not
// ASCII: as Q words, readable, when its ASCII is only what a Q word in a
// phrase may hold (§5(3)), else as B words, in which ( ) < > , ; " and
// the other specials cannot be read as the phrase's own.
func listIDHeader(name, slug, host string) string {
	id := "<" + slug + "." + host + ">"
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	switch {
	case name == "":
		return id
	case strings.IndexFunc(name, func(r rune) bool { return r > 0x7e }) >= 0:
		if strings.IndexFunc(name, notPhraseQ) >= 0 {
			return mime.BEncoding.Encode("utf-8", name) + " " + id
		}
		return mime.QEncoding.Encode("utf-8", name) + " " + id
	case strings.ContainsAny(name, `()<>[]:;@\,."`):
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `" ` + id
	}
	return name + " " + id
}

// notPhraseQ reports whether r is ASCII that mime.QEncoding writes as it
// is but RFC 2047 §5(3) keeps out of a Q word in a phrase: anything but
// letters, digits, the space (written "_") and ! * + - /. The Q encoder
// writes = ? _ as =3D =3F =5F itself.
func notPhraseQ(r rune) bool {
	switch {
	case r > 0x7e, r == ' ', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("!*+-/=?_", r)
}

// enqueueFanout queues the next fan-out step of campaign id.
func (s *Service) enqueueFanout(ctx context.Context, c queue.Enqueuer, id int64, opts ...asynq.Option) error {
	var after int64
	if err := s.db.Read.QueryRowContext(ctx, `SELECT fanout_after FROM campaigns WHERE id = ?`, id).Scan(&after); err != nil {
		return fmt.Errorf("fan-out cursor: %w", err)
	}
	t, o := queue.NewFanoutTask(id, after)
	if err := queue.EnqueueUnique(ctx, c, t, append(o, opts...)...); err != nil {
		return fmt.Errorf("enqueue fan-out: %w", err)
	}
	return nil
}

// HandleFanout handles campaign:fanout: page by page it turns recipients
// into deliveries and mail:send tasks, holding back while too many wait.
func (s *Service) HandleFanout(ctx context.Context, t *asynq.Task) error {
	var p queue.FanoutPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("decode campaign:fanout: %v: %w", err, asynq.SkipRetry)
	}
	if p.Start {
		return s.startScheduled(ctx, p.CampaignID)
	}
	return s.fanout(ctx, p.CampaignID)
}

// fanout turns pages of campaign id's recipients into deliveries and
// mail:send tasks, or hands each batch to Kick when it is set, until the
// list is done or too many deliveries wait.
func (s *Service) fanout(ctx context.Context, id int64) error {
	contents, err := s.sendContents(ctx, id)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	next, backlog := s.fanoutSteps(ctx, id)
	for page := 0; ; page++ {
		batches, done, err := next(ctx, id)
		if err != nil {
			return err
		}
		for _, batch := range batches {
			if len(batch.Recipients) == 0 {
				continue
			}
			batch.Content = *contents.of(batch.Batch)
			if s.Kick != nil {
				s.Kick(batch)
			} else if err := s.EnqueueSend(ctx, batch); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
		if page%10 == 9 && backlog(ctx, id) > s.maxQueued() {
			return s.enqueueFanout(ctx, s.Queue, id, asynq.ProcessIn(time.Second))
		}
	}
}

func (s *Service) maxQueued() int {
	if s.MaxQueued > 0 {
		return s.MaxQueued
	}
	return DefaultMaxQueued
}

func (s *Service) pageSize() int {
	if s.PageSize > 0 {
		return s.PageSize
	}
	return DefaultPageSize
}

// backlog counts the campaign's deliveries still queued.
func (s *Service) backlog(ctx context.Context, id int64) int {
	var n int
	s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE campaign_id = ? AND status = 'queued'`, id).Scan(&n)
	return n
}

// EnqueueSend queues the mail:send task of batch p, which sends what of
// it is still queued.
func (s *Service) EnqueueSend(ctx context.Context, p *queue.SendPayload) error {
	return s.enqueueSend(ctx, s.Queue, p)
}

// enqueueSend queues one batch's mail:send task.
func (s *Service) enqueueSend(ctx context.Context, c queue.Enqueuer, p *queue.SendPayload) error {
	t, opts, err := queue.NewSendTask(p)
	if err != nil {
		return err
	}
	if err := queue.EnqueueUnique(ctx, c, t, opts...); err != nil {
		return fmt.Errorf("enqueue mail:send: %w", err)
	}
	return nil
}

// recipient signs the link tokens of one delivery of campaign cid, its
// tracking token, and its return path when there is a bounce domain. The
// unsubscribe link, and List-Unsubscribe, end list only: the one the
// mail says the reader joined, whose List-Id it carries (RFC 8058).
func (s *Service) recipient(cid, list, deliveryID, subscriberID int64, email, name string) queue.Recipient {
	r := queue.Recipient{
		DeliveryID: deliveryID, SubscriberID: subscriberID, Email: email, Name: name,
		Unsubscribe: s.Signer.SignList(subscriberID, list),
		Preferences: s.Signer.Sign(subscribers.TokenPreferences, subscriberID, 0),
	}
	if s.Tracker != nil {
		r.Reader = s.Tracker.Reader(cid, deliveryID)
	}
	if s.VERP != nil {
		r.ReturnPath = s.VERP.Address(cid, subscriberID)
	}
	return r
}
