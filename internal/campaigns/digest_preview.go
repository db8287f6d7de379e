package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/mailer"
)

// A DigestPreview is what RunDigest would build for a list now, told
// before the editor sends it: each digest it would make, and who of the
// list's readers waits for another one.
type DigestPreview struct {
	List    string // the list's slug
	Name    string // the list's name
	Cadence string // of the list's own digest, the one RunDigest builds
	// Mails are the digests a run would make. The first is always there,
	// that of the list's own window, even when it would make no campaign
	// (no article, or no reader for it: see DigestMail.Sends); the second
	// is the other digest a run makes with it (see buildDigestTx), only
	// when that one would be sent.
	Mails []DigestMail
	// RoundUp counts the readers of a daily list left in its weekly
	// window after the run: they chose weekly, and get these articles in
	// the next round-up instead.
	RoundUp int
}

// Nothing reports whether a run would find no new article at all.
func (p *DigestPreview) Nothing() bool { return len(p.Mails) == 1 && len(p.Mails[0].Articles) == 0 }

// Sends reports whether a run would mail anybody.
func (p *DigestPreview) Sends() bool {
	for _, m := range p.Mails {
		if m.Sends() {
			return true
		}
	}
	return false
}

// Who a DigestMail is for, of the list's readers.
const (
	ForEverybody = ""         // every reader of the list
	ForDaily     = "daily"    // the readers in the daily window
	ForWeekly    = "weekly"   // the readers in the weekly window
	ForChanging  = "changing" // those whose change of frequency the run takes over
)

// A DigestMail is one digest a run would make.
type DigestMail struct {
	Cadence     string // daily or weekly: the window's
	For         string // ForEverybody, ForDaily, ForWeekly or ForChanging
	WindowStart time.Time
	WindowEnd   time.Time
	// First says the window had no digest yet: it takes the articles
	// published since NewsSince, not those added since WindowStart.
	First bool
	// NewsSince is the earliest publication of an article the digest
	// takes: FirstWindow before the window's previous digest, or before
	// now for its first (see digest_news.go).
	NewsSince time.Time
	// OldNews counts the articles of the window (for a first digest, of
	// the list) it leaves out as published before NewsSince.
	OldNews  int
	Subject  string          // "" when it has no article
	Articles []DigestItem    // in the mail's order, newest first
	Readers  int             // whom it would go to
	HTML     string          // its HTML part as SampleReader gets it; "" when it would not be sent
	items    []digestArticle // as read, for the render
}

// Sends reports whether the run would make this digest's campaign.
func (m *DigestMail) Sends() bool { return len(m.Articles) > 0 && m.Readers > 0 }

// A DigestItem is an article of a digest, as the preview names it.
type DigestItem struct {
	ID          int64
	Title       string
	URL         string
	Author      string
	PublishedAt time.Time // in the list's time zone
}

// PreviewDigest tells what RunDigest(slug) would build now, and changes
// nothing.
//
// It runs the build itself, buildDigestTx, in a write transaction that
// it always rolls back. Reading "the read half" apart would copy what the
// build decides as it writes: the changes of frequency it settles into
// streams before it picks the readers (settleSwitches), the round-up a
// list that left daily sends from its old mark, the readers changing
// windows (changeOver), the articles it holds for later; a copy would
// drift from the build the day one of them changes. The one write a
// rollback would make too dear is the deliveries', a row for every
// reader (seconds at a million readers, holding the database's writer):
// fillDigest hands a preview's digests to take instead, which counts
// their readers with the same condition and inserts nothing. Nothing is
// queued: only buildDigest starts a digest, after its commit.
func (s *Service) PreviewDigest(ctx context.Context, slug string) (*DigestPreview, error) {
	dry := &digestDry{}
	var p *DigestPreview
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		l, err := s.digestList(ctx, tx, slug)
		if err != nil {
			return err
		}
		if dry.from, dry.replyTo, err = listSender(ctx, tx, l.id); err != nil {
			return err
		}
		d, other, err := s.buildDigestTx(withDigestDry(ctx, dry), tx, l.slug, l.ownCadence(), time.Time{})
		if err != nil {
			return err
		}
		p = &DigestPreview{List: l.slug, Name: l.name, Cadence: l.ownCadence()}
		p.Mails = append(p.Mails, dry.mail(d, mainFor(l, other != nil)))
		if other != nil {
			// Articles are filled in with the render, below.
			if m := dry.mail(other, otherFor(l)); len(m.items) > 0 && m.Readers > 0 {
				p.Mails = append(p.Mails, m)
			}
		}
		if l.digest == CadenceDaily {
			// After the build, in its transaction: the streams it ended
			// are the readers' windows as the run would leave them.
			who := inWindow(CadenceWeekly)
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) `+readersSQL+who.cond, who.with(l.id)...).Scan(&p.RoundUp); err != nil {
				return fmt.Errorf("round-up readers: %w", err)
			}
		}
		dry.list = l
		return errPreviewed
	})
	if !errors.Is(err, errPreviewed) {
		return nil, err
	}
	// Rendered after the rollback, so the writer is held no longer than
	// the build's reads.
	for i := range p.Mails {
		if err := s.renderPreview(ctx, dry, &p.Mails[i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// errPreviewed ends a preview's transaction: Tx rolls back on an error.
var errPreviewed = errors.New("digest previewed")

// mainFor is whom the list's own digest goes to: every reader of a list
// with one window, but the weekly ones when a list that left daily sends
// them their round-up (leaveRollup); the daily window's on a daily list,
// as RunDigest builds the list's own, daily, digest.
func mainFor(l *digestList, split bool) string {
	if l.digest == CadenceDaily || split {
		return ForDaily
	}
	return ForEverybody
}

// otherFor is whom the second digest of a run goes to (see buildDigestTx).
func otherFor(l *digestList) string {
	if l.digest == CadenceDaily {
		return ForChanging
	}
	return ForWeekly
}

// digestDry collects the digests of a preview's build in place of their
// campaigns (see PreviewDigest).
type digestDry struct {
	list          *digestList
	from, replyTo string
	taken         map[*Digest]dryDigest
}

// dryDigest is what fillDigest handed a preview of one digest.
type dryDigest struct {
	items   []digestArticle
	readers int
}

type digestDryKey struct{}

func withDigestDry(ctx context.Context, dry *digestDry) context.Context {
	return context.WithValue(ctx, digestDryKey{}, dry)
}

// digestDryOf is the preview ctx builds for, or nil for a real build.
func digestDryOf(ctx context.Context) *digestDry {
	dry, _ := ctx.Value(digestDryKey{}).(*digestDry)
	return dry
}

// take stands in for fillDigest's insert: it counts the readers who would
// get d, with the insert's own condition, and keeps its items.
func (dry *digestDry) take(ctx context.Context, tx *sql.Tx, l *digestList, d *Digest, items []digestArticle, who reach) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) `+readersSQL+who.cond, who.with(l.id)...).Scan(&n); err != nil {
		return fmt.Errorf("digest recipients: %w", err)
	}
	if dry.taken == nil {
		dry.taken = map[*Digest]dryDigest{}
	}
	dry.taken[d] = dryDigest{items: items, readers: n}
	d.Recipients = n
	return nil
}

// mail is the preview of d, for whom.
func (dry *digestDry) mail(d *Digest, whom string) DigestMail {
	t := dry.taken[d]
	return DigestMail{Cadence: d.Cadence, For: whom, WindowStart: d.WindowStart, WindowEnd: d.WindowEnd,
		First: d.first, NewsSince: d.newsSince, OldNews: d.oldNews,
		Readers: t.readers, items: t.items, Articles: make([]DigestItem, 0, len(t.items))}
}

// renderPreview fills in m's articles as the mail shows them, its subject
// and, when it would be sent, its HTML part to SampleReader, made as
// insertDigest and the campaign page's preview (PreviewMail) make them.
func (s *Service) renderPreview(ctx context.Context, dry *digestDry, m *DigestMail) error {
	if len(m.items) == 0 {
		return nil
	}
	d := &Digest{Cadence: m.Cadence, WindowStart: m.WindowStart, WindowEnd: m.WindowEnd}
	// The preview is in the language set now, as a digest built now
	// would be sent in; its mail's wrapping (below) reads the same.
	pub := s.publication(ctx)
	html, text, err := s.renderDigest(pub, dry.list, d, m.items) // puts the dates in the list's zone
	if err != nil {
		return err
	}
	for _, a := range m.items {
		m.Articles = append(m.Articles, DigestItem{ID: a.id, Title: a.Title, URL: a.URL, Author: a.Author, PublishedAt: a.PublishedAt})
	}
	m.Subject = digestSubject(dry.list.name, m.Cadence, dry.list.digest, m.items)
	if !m.Sends() {
		return nil
	}
	head := listHead{name: dry.list.name, slug: dry.list.slug, from: dry.from, replyTo: dry.replyTo,
		preheader: digestPreheader(pub.Name, dry.list.name, m.items)}
	// The digest has no id before it is built: its mail links to the
	// archive's first page, where it will be.
	if err := s.db.Read.QueryRowContext(ctx, `SELECT public FROM lists WHERE id = ?`, dry.list.id).Scan(&head.public); err != nil {
		return fmt.Errorf("digest list: %w", err)
	}
	content, err := s.wrap(m.Subject, html, text, head, mailer.NewMarkers())
	if err != nil {
		return err
	}
	m.HTML, err = htmlPartFor(ctx, content, SampleReader)
	return err
}

// listSender is the From and Reply-To list id sets, "" for the
// publication's, as contents reads them.
func listSender(ctx context.Context, q queryer, id int64) (from, replyTo string, err error) {
	if err := q.QueryRowContext(ctx, `SELECT from_address, reply_to FROM lists WHERE id = ?`, id).Scan(&from, &replyTo); err != nil {
		return "", "", fmt.Errorf("digest list sender: %w", err)
	}
	return from, replyTo, nil
}
