package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// Digest cadences.
const (
	CadenceDaily  = "daily"
	CadenceWeekly = "weekly"
)

// FirstWindow is how far back the first digest of a list (or of its weekly
// round-up) looks, by the articles' publication, so a newly imported
// archive is not mailed whole; and how long before a list's previous
// digest an article added since may have been published and still be news
// to the next (see digest_news.go).
const FirstWindow = 7 * 24 * time.Hour

// A Digest is one run of a list's digest. When no article is new, or no
// one is to get it, no campaign is made: ID is 0. A run by hand that makes
// none changes nothing (see buildDigest). A scheduled one still closes the
// window, so the next digest starts where this one ended and the slot
// counts as served, but keeps the articles of a list with no reader yet
// (see keepUnsent).
//
// A run by hand serves no slot: it closes the window, so the next digest
// takes only what came after it, but the schedule goes on as before. The
// day's (or week's) scheduled digest still goes out at its hour, with the
// articles added since the run by hand, and with none it mails no one.
//
// Who gets which digest: a daily list mails a daily digest to its readers
// whose frequency is daily, and on its weekday a weekly round-up of the week
// to those who chose weekly, each with its own window. A reader who changes
// frequency moves from one window to the other with the list's next digest
// of the new one (see changeOver). A weekly list mails one weekly digest to
// all its readers, whatever their frequency. A list with digest off sends
// only when run by hand, to all its readers.
type Digest struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	List        string    `json:"list"`
	Cadence     string    `json:"cadence"`
	Subject     string    `json:"subject,omitempty"`
	Status      string    `json:"status,omitempty"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Articles    int       `json:"articles"`
	Recipients  int       `json:"recipients"`
	Stats       *Stats    `json:"stats,omitempty"`
	// Other is the second digest made with this one (see buildDigestTx),
	// when both have a campaign: that of the readers whose change of
	// frequency this one takes over, or the weekly readers' of the first
	// digest of a list that left daily. The API answers with this one
	// only.
	Other *Digest `json:"-"`

	// first says the window had no mark; newsSince is the earliest
	// publication of an article the digest takes (readWindow); oldNews
	// counts, in a preview, the window's articles it leaves out as
	// published before.
	first     bool
	newsSince time.Time
	oldNews   int
}

// digestList is what building a digest needs of its list.
type digestList struct {
	id        int64
	slug      string
	name      string
	digest    string // the list's schedule: daily, weekly or off
	zone      string // the list's time zone, as stored; digests show its dates
	createdAt time.Time
}

// audience is the subscriber frequency a digest of cadence goes to, or ""
// for every reader of the list, and the table that keeps its mark.
func (l *digestList) audience(cadence string) (frequency, marks string) {
	if l.digest != CadenceDaily {
		return "", "digest_marks"
	}
	if cadence == CadenceWeekly {
		return CadenceWeekly, "digest_rollup_marks"
	}
	return CadenceDaily, "digest_marks"
}

// ownCadence is the cadence of the list's own digest.
func (l *digestList) ownCadence() string {
	if l.digest == CadenceWeekly {
		return CadenceWeekly
	}
	return CadenceDaily
}

// RunDigest builds the list's own digest now, whatever its schedule (a list
// with digest off may be run by hand), and starts sending it.
func (s *Service) RunDigest(ctx context.Context, slug string) (*Digest, error) {
	l, err := s.digestList(ctx, s.db.Read, slug)
	if err != nil {
		return nil, err
	}
	return s.buildDigest(ctx, l.slug, l.ownCadence(), time.Time{})
}

// buildDigest builds the digest of slug for cadence and starts sending it.
// A zero slot is a run by hand; otherwise the digest is built only when
// the list still has that cadence and its window's last scheduled digest
// served an older slot (a run by hand serves none: see Digest).
//
// A digest may be two (see buildDigestTx): both are started. The answer
// is the one of the readers who stay in the window of cadence, with its
// own counts only, as the callers send and count one campaign by its ID;
// the other stands in for it when it made no campaign, so a caller is
// told of the one that was made.
func (s *Service) buildDigest(ctx context.Context, slug, cadence string, slot time.Time) (*Digest, error) {
	var d, other *Digest
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		d, other, err = s.buildDigestTx(ctx, tx, slug, cadence, slot)
		if err == nil && slot.IsZero() && d.ID == 0 && (other == nil || other.ID == 0) {
			// A run by hand that mails no one leaves everything as it
			// was: its mark would close the window on articles no one
			// got, though nothing went out.
			return errNothingBuilt
		}
		return err
	})
	if errors.Is(err, errNothingBuilt) {
		err = nil
	}
	if err != nil || d == nil {
		return d, err
	}
	for _, x := range []*Digest{d, other} {
		if x == nil || x.ID == 0 {
			continue
		}
		// The transaction that made it sending has committed: this is
		// its one start.
		s.logSending(x.ID, "digest", x.Recipients)
		s.forgetWorkersSent(ctx, x.ID)
		if err := s.startDigest(ctx, x.ID); err != nil {
			s.log().Error("enqueue digest; the reconciler will retry", "campaign", x.ID, "err", err)
		}
	}
	if other != nil {
		s.log().Info("digest of the readers who leave the window of their old frequency, from its mark", "list", slug,
			"cadence", other.Cadence, "campaign", other.ID, "articles", other.Articles, "recipients", other.Recipients)
		if d.ID == 0 {
			d = other
		} else if other.ID != 0 {
			d.Other = other
		}
	}
	if d.ID == 0 {
		return d, nil
	}
	if st, err := s.stats(ctx, d.ID); err == nil {
		d.Stats = &st
	}
	return d, nil
}

// errNothingBuilt ends the transaction of a run by hand that made no
// digest: Tx rolls back on an error.
var errNothingBuilt = errors.New("no digest built")

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// digestList reads the list slug names in any case (SlugKey), as a
// person types it; its slug is the stored one.
func (s *Service) digestList(ctx context.Context, q queryer, slug string) (*digestList, error) {
	l := &digestList{}
	err := q.QueryRowContext(ctx, `SELECT id, slug, name, digest, timezone, created_at FROM lists WHERE slug = ?`, subscribers.SlugKey(slug)).
		Scan(&l.id, &l.slug, &l.name, &l.digest, &l.zone, &l.createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no list %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("digest list: %w", err)
	}
	return l, nil
}

// A mark is where a list's previous digest window ended.
type mark struct {
	at time.Time
	// linkSeq is the last article link the window saw (article_lists.seq;
	// the column, older than the counter, is named last_article_id).
	linkSeq int64
	ok      bool
	// slot is the slot the window's last scheduled digest served, zero
	// before its first: the schedule (DueDigests, NextScheduled) follows
	// it, not at, which a run by hand moves too.
	slot time.Time
}

func readMark(ctx context.Context, q queryer, table string, listID int64) (mark, error) {
	var m mark
	var slot sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT last_digest_at, last_article_id, last_slot FROM `+table+` WHERE list_id = ?`, listID).
		Scan(&m.at, &m.linkSeq, &slot)
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil
	} else if err != nil {
		return m, fmt.Errorf("digest mark: %w", err)
	}
	m.ok = true
	if slot.Valid {
		m.slot = slot.Time
	}
	return m, nil
}

// buildDigestTx does the whole of a digest in one transaction: it reads the
// window from the mark, takes in the articles after it, creates the digest
// campaign with every delivery, and moves the mark. A crash before the
// commit leaves nothing; after it, the reconciler sends what is queued.
// So the same articles never go out twice, and none is skipped.
//
// A digest may be two; other is the second, and nil for any other digest.
// On a daily list it is the digest of the readers whose change of
// frequency this digest takes over (changeOver). A list that is no longer
// daily may keep the round-up mark of its daily days (startRollup makes it
// anew whenever the list becomes daily again): its weekly readers got the
// round-up, not the daily digests, and a digest from the list's own mark
// would skip what came between the two. So the list's first digest since
// is two: other is the weekly readers' digest, from the round-up mark with
// the round-up's holds, and d goes to every other reader from the list's
// mark. The round-up mark and holds go with it, and the list's mark moves
// as usual, so the next digest is one for everybody. Either digest may
// have no campaign (ID 0) when its window or its audience is empty.
func (s *Service) buildDigestTx(ctx context.Context, tx *sql.Tx, slug, cadence string, slot time.Time) (d, other *Digest, err error) {
	l, err := s.digestList(ctx, tx, slug)
	if err != nil {
		return nil, nil, err
	}
	if !slot.IsZero() && !l.schedules(cadence) {
		return nil, nil, nil // the list's schedule changed since the task was queued
	}
	frequency, table := l.audience(cadence)
	m, err := readMark(ctx, tx, table, l.id)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if !slot.IsZero() && !m.slot.IsZero() && !m.slot.Before(slot) {
		return nil, nil, nil // built already
	}
	if err := settleSwitches(ctx, tx); err != nil {
		return nil, nil, err
	}
	if l.digest != CadenceDaily {
		if other, err = s.leaveRollup(ctx, tx, l, cadence, now); err != nil {
			return nil, nil, err
		}
		if other != nil {
			// The others: a frequency is daily or weekly (the column's
			// CHECK), so those not weekly are the daily ones, and the
			// deliveries' insert keeps its one shape.
			frequency = CadenceDaily
		}
	}
	d = &Digest{Kind: "digest", List: slug, Cadence: cadence, WindowStart: now.Add(-FirstWindow), WindowEnd: now}
	if m.ok {
		d.WindowStart = m.at.UTC()
	}
	items, last, err := windowArticles(ctx, tx, l.id, table, m, d, now)
	if err != nil {
		return nil, nil, err
	}
	if err := s.fillDigest(ctx, tx, l, d, items, inWindow(frequency)); err != nil {
		return nil, nil, err
	}
	if err := keepUnsent(ctx, tx, l.id, table, d, items); err != nil {
		return nil, nil, err
	}
	if err := moveMark(ctx, tx, table, l.id, now, max(last, m.linkSeq), slot); err != nil {
		return nil, nil, err
	}
	if l.digest != CadenceDaily {
		// One digest for everybody from here: whichever window a reader
		// was in, it ends where the list's mark is now.
		return d, other, endStreams(ctx, tx, l.id, "")
	}
	other, err = s.changeOver(ctx, tx, l, cadence, now)
	return d, other, err
}

// leaveRollup makes the first digest of a list that left daily for its
// weekly readers, from the round-up mark the list kept, and drops that
// mark (see buildDigestTx). It returns nil when the list kept none.
func (s *Service) leaveRollup(ctx context.Context, tx *sql.Tx, l *digestList, cadence string, now time.Time) (*Digest, error) {
	rollup, err := readMark(ctx, tx, "digest_rollup_marks", l.id)
	if err != nil || !rollup.ok {
		return nil, err
	}
	weekly := &Digest{Kind: "digest", List: l.slug, Cadence: cadence, WindowStart: rollup.at.UTC(), WindowEnd: now}
	items, _, err := windowArticles(ctx, tx, l.id, "digest_rollup_marks", rollup, weekly, now)
	if err != nil {
		return nil, err
	}
	if err := s.fillDigest(ctx, tx, l, weekly, items, inWindow(CadenceWeekly)); err != nil {
		return nil, err
	}
	return weekly, dropRollup(ctx, tx, l.id)
}

// fillDigest makes d's campaign of items with its deliveries, when there
// are items and a reader in who to get them.
func (s *Service) fillDigest(ctx context.Context, tx *sql.Tx, l *digestList, d *Digest, items []digestArticle, who reach) error {
	d.Articles = len(items)
	if len(items) == 0 {
		return nil
	}
	if dry := digestDryOf(ctx); dry != nil {
		return dry.take(ctx, tx, l, d, items, who) // a preview: counts, inserts nothing
	}
	// The deliveries' insert counts the readers; this only asks whether
	// there is one, which stops at the first (a count of a million took
	// 0.3 s of the build).
	var some bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 `+readersSQL+who.cond+`)`, who.with(l.id)...).Scan(&some); err != nil {
		return fmt.Errorf("digest recipients: %w", err)
	}
	if !some {
		return nil
	}
	return s.insertDigest(ctx, tx, l, d, items, who)
}

// dropRollup deletes the round-up mark of a list that is no longer daily,
// and the articles held for the round-up, once its weekly readers have
// had their digest from it. An article still held there is held for the
// list's own mark too, or linked after it, so the list's next digest
// takes it to everybody.
func dropRollup(ctx context.Context, tx *sql.Tx, listID int64) error {
	for _, q := range []string{
		`DELETE FROM digest_rollup_marks WHERE list_id = ?`,
		`DELETE FROM digest_holds WHERE list_id = ? AND marks = 'digest_rollup_marks'`,
	} {
		if _, err := tx.ExecContext(ctx, q, listID); err != nil {
			return fmt.Errorf("end the weekly round-up: %w", err)
		}
	}
	return nil
}

// schedules reports whether the list's schedule sends a digest of cadence.
func (l *digestList) schedules(cadence string) bool {
	return l.digest == CadenceDaily || l.digest == cadence
}

// windowArticles returns the articles of d's window that are news and
// out by now, newest first, and the number of the last link made to any
// list (see readWindow). An article published after now is held
// (digest_holds, by list and marks table) and comes in the first digest
// of this window after its time, whatever ids the marks have passed by
// then.
func windowArticles(ctx context.Context, tx *sql.Tx, listID int64, table string, m mark, d *Digest, now time.Time) ([]digestArticle, int64, error) {
	out, held, last, err := readWindow(ctx, tx, listID, table, m, d, now)
	if err != nil {
		return nil, 0, err
	}
	if err := hold(ctx, tx, listID, table, held); err != nil {
		return nil, 0, err
	}
	return out, last, nil
}

// hold makes ids the articles held for the list's window of table.
func hold(ctx context.Context, tx *sql.Tx, listID int64, table string, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM digest_holds WHERE list_id = ? AND marks = ?`, listID, table); err != nil {
		return fmt.Errorf("digest holds: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO digest_holds (list_id, marks, article_id) VALUES (?, ?, ?)`, listID, table, id); err != nil {
			return fmt.Errorf("hold article: %w", err)
		}
	}
	return nil
}

// keepUnsent holds the articles of a scheduled digest that made no
// campaign as the list has no reader at all, for the window's next digest:
// the mark passes them, and the first reader to come would never get
// them. They stay news as long as any article does (newsSince). Only
// then: a list with readers in its other window (daily and weekly) may
// move them into this one later, after their own window took these
// articles.
func keepUnsent(ctx context.Context, tx *sql.Tx, listID int64, table string, d *Digest, items []digestArticle) error {
	if d.ID != 0 || len(items) == 0 || digestDryOf(ctx) != nil {
		return nil
	}
	var some bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 `+readersSQL+`)`, reach{}.with(listID)...).Scan(&some); err != nil {
		return fmt.Errorf("digest readers: %w", err)
	}
	if some {
		return nil
	}
	for _, a := range items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO digest_holds (list_id, marks, article_id) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, listID, table, a.id); err != nil {
			return fmt.Errorf("keep article for the next digest: %w", err)
		}
	}
	return nil
}

// moveMark ends the window of table at at and linkSeq. A scheduled
// digest (slot not zero) also notes the slot it served; a run by hand
// leaves the last one as it was, so the schedule goes on as before.
func moveMark(ctx context.Context, tx *sql.Tx, table string, listID int64, at time.Time, linkSeq int64, slot time.Time) error {
	var served sql.NullTime
	if !slot.IsZero() {
		served = sql.NullTime{Time: slot.UTC(), Valid: true}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (list_id, last_digest_at, last_article_id, last_slot) VALUES (?, ?, ?, ?)
		ON CONFLICT (list_id) DO UPDATE SET last_digest_at = excluded.last_digest_at, last_article_id = excluded.last_article_id,
			last_slot = COALESCE(excluded.last_slot, last_slot)`,
		listID, at, linkSeq, served)
	if err != nil {
		return fmt.Errorf("move digest mark: %w", err)
	}
	return nil
}

// insertDigest stores the digest as a campaign of kind digest that is
// already sending: every delivery is inserted here, in pages of the
// fan-out's size that become its mail:send batches, which its fan-out
// then hands out from the first (digestPage).
func (s *Service) insertDigest(ctx context.Context, tx *sql.Tx, l *digestList, d *Digest, items []digestArticle, who reach) error {
	// The digest starts sending here, in the language set now: its body
	// is rendered in it, and the campaign keeps it, for its mails
	// (contents) and its archive page to stay in it whatever the setting
	// says later.
	pub := s.publication(ctx)
	html, text, err := s.renderDigest(pub, l, d, items)
	if err != nil {
		return err
	}
	d.Subject, d.Status = digestSubject(l.name, d.Cadence, l.digest, items), StatusSending
	// The preheader is the digest's own, kept as an editor's is: read from
	// the text part, it would repeat the subject (digestPreheader).
	pre := digestPreheader(pub.Name, l.name, items)
	now := d.WindowEnd
	res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (kind, subject, preheader, body, body_html, body_text, status, window_start, window_end,
		fanout_done, total, created_at, updated_at, started_at, language) VALUES ('digest', ?, ?, '', ?, ?, 'sending', ?, ?, 0, 0, ?, ?, ?, ?)`,
		d.Subject, pre, html, text, d.WindowStart, d.WindowEnd, now, now, now, pub.Brand().Lang())
	if err != nil {
		return fmt.Errorf("create digest: %w", err)
	}
	if d.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create digest: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, d.ID, l.id); err != nil {
		return fmt.Errorf("link digest list: %w", err)
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO deliveries (campaign_id, subscriber_id, status, batch, updated_at)
		SELECT ?, s.id, 'queued', (ROW_NUMBER() OVER (ORDER BY s.id) - 1) / ?, ? `+readersSQL+who.cond+` ORDER BY s.id`,
		append([]any{d.ID, s.pageSize(), now}, who.with(l.id)...)...)
	if err != nil {
		return fmt.Errorf("insert digest deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("insert digest deliveries: %w", err)
	}
	d.Recipients = int(n)
	if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET total = ? WHERE id = ?`, n, d.ID); err != nil {
		return fmt.Errorf("set digest total: %w", err)
	}
	return nil
}

// startDigest queues the fan-out of a digest and, in serve, runs it at
// once, as a campaign's start does. The task's ID comes from the rows, so
// the reconciler can queue it again should this be lost.
func (s *Service) startDigest(ctx context.Context, id int64) error {
	if s.Kick != nil {
		go s.fanoutNow(context.WithoutCancel(ctx), id)
	}
	return s.enqueueFanout(ctx, s.Queue, id)
}

// SendQueued hands every batch of digest id still to be handed out to
// send, one after the other: `bulletin digest run` sends this way in its
// own process, under the same ledger as the queued tasks, so a delivery
// goes out once whichever sends it. A batch send leaves queued in part
// stays behind the digest's cursor, for the reconciler to queue.
//
// A batch whose server refused a few messages for now (a 4xx to their
// RCPT TO: *mailer.RetryingError) is no failure of the digest: those
// deliveries stay queued for their retry and the next batch goes on. It
// returns how many messages were so refused. Any other error of send (the
// server refusing every message, the database, the context) stops it, the
// batches not yet sent left queued.
func (s *Service) SendQueued(ctx context.Context, id int64, send func(context.Context, *queue.SendPayload) error) (retrying int, err error) {
	contents, err := s.sendContents(ctx, id)
	if err != nil {
		return 0, err
	}
	for {
		p, done, err := s.digestPage(ctx, id)
		if err != nil || p == nil {
			return retrying, err
		}
		if len(p.Recipients) > 0 {
			p.Content = *contents.of(p.Batch)
			var again *mailer.RetryingError
			switch err := send(ctx, p); {
			case errors.As(err, &again):
				retrying += again.Count
			case err != nil:
				return retrying, err
			}
		}
		if done {
			return retrying, nil
		}
	}
}

// DigestStats counts a digest's deliveries by status.
func (s *Service) DigestStats(ctx context.Context, id int64) (Stats, error) {
	return s.stats(ctx, id)
}
