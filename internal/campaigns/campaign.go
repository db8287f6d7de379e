// Package campaigns holds one-off campaigns and their delivery: the
// campaign store, Markdown rendered once, the fan-out of recipients into
// deliveries and mail:send tasks, the recording of results with bounce
// counting, and the reconciler that rebuilds lost tasks from rows.
package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// Campaign statuses.
const (
	StatusDraft     = "draft"
	StatusScheduled = "scheduled"
	StatusSending   = "sending"
	StatusPaused    = "paused"
	StatusSent      = "sent"
	StatusCancelled = "cancelled"
)

// A Campaign is a one-off mail to the confirmed members of some lists.
type Campaign struct {
	ID         int64      `json:"id"`
	Subject    string     `json:"subject"`
	Preheader  string     `json:"preheader"`
	Body       string     `json:"body"`
	Lists      []string   `json:"lists"`
	Status     string     `json:"status"`
	SendAt     *time.Time `json:"send_at,omitempty"`
	SendZone   string     `json:"send_zone,omitempty"` // the IANA zone SendAt was chosen in: see SendLocation
	Stats      Stats      `json:"stats"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// MissedSendAt is the send time a draft was scheduled for and not
	// sent at, as its lists had no confirmed reader then (unschedule):
	// its pages say why it is a draft again. Nil for any other campaign;
	// scheduling or sending it again forgets it.
	MissedSendAt *time.Time `json:"missed_send_at,omitempty"`
	// Audience is how many readers the campaign reaches: while it is a
	// draft or scheduled, the confirmed readers of its lists now, each
	// once (Store.Audience); while its fan-out runs, the same count;
	// paused or cancelled, its deliveries and the readers it had not
	// reached when it stopped; once sent, its deliveries.
	Audience int `json:"audience"`
}

// Stats count a campaign's deliveries by status.
type Stats struct {
	Total   int `json:"total"`
	Queued  int `json:"queued"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	Bounced int `json:"bounced"`
	Skipped int `json:"skipped"`
	// Complaints counts the readers who marked it as spam.
	Complaints int `json:"complaints"`
	// Waiting, while messages are queued, is the latest temporary
	// failure among the next ones to go: the mail server's answer, or why
	// it could not be reached. Nil when they wait on nothing known.
	Waiting *Waiting `json:"waiting,omitempty"`
}

// A Waiting is why queued messages wait: the mail server's last answer
// to one of them (a 4xx, a refused or dropped connection), and when.
type Waiting struct {
	Reply string    `json:"reply"`
	At    time.Time `json:"at"`
}

// waitingSQL reads the latest temporary failure among a campaign's next
// 200 queued deliveries (retries go in id order, so an outage shows
// there), on the (campaign_id, status, id) index: a look that costs the
// same at a million queued. A message the process's own shutdown held
// back ("not sent: …"), or the send's own cancellation ("smtp: not
// sent: context canceled", as a worker whose Redis came back empty
// records it), is no failure of the mail server.
const waitingSQL = `SELECT last_error, updated_at FROM (
	SELECT last_error, updated_at FROM deliveries WHERE campaign_id = ? AND status = 'queued' ORDER BY id LIMIT 200)
	WHERE last_error <> '' AND last_error NOT LIKE 'not sent: %' AND last_error NOT LIKE 'smtp: not sent: context %'
	ORDER BY updated_at DESC LIMIT 1`

// lastSentSQL reads when the campaign's newest delivery sent went, on
// the (campaign_id, status, id) index: deliveries go out in id order,
// their retries aside, so it is about the latest acceptance, at the cost
// of one row.
const lastSentSQL = `SELECT sent_at FROM deliveries WHERE campaign_id = ? AND status = 'sent' ORDER BY id DESC LIMIT 1`

// A Store keeps campaigns and their deliveries in SQLite.
type Store struct {
	// Log gets a warn line for each delivery that failed for good;
	// slog.Default() when nil.
	Log  *slog.Logger
	db   *sqlite.DB
	now  func() time.Time
	gone subscribers.GoneRecorder
	// feedback counts the bounces relays answer at send time (nil: none).
	feedback *events.Metrics
	// fanning keeps the audiences counted of campaigns whose fan-out is
	// running (audienceOf).
	fanning fanningAudiences
}

func (s *Store) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// NewStore returns a Store on db.
func NewStore(db *sqlite.DB) *Store { return &Store{db: db, now: sqlite.Now} }

// SetFeedbackMetrics sets the counters of bounces and complaints, which
// move for the bounces relays answer at send time.
func (s *Store) SetFeedbackMetrics(m *events.Metrics) { s.feedback = m }

// SetGoneRecorder sets what is told of subscribers a bounce makes
// bounced (see subscribers.GoneRecorder); without one nobody is told.
func (s *Store) SetGoneRecorder(r subscribers.GoneRecorder) { s.gone = r }

// recordGone tells the GoneRecorder, if any, of ids.
func (s *Store) recordGone(ctx context.Context, ids ...int64) {
	if s.gone != nil && len(ids) > 0 {
		s.gone.RecordGone(ctx, ids...)
	}
}

// maxPreheader is the longest preheader, in characters: inboxes show
// from 40 to 140.
const maxPreheader = 150

// Check says what saving c would refuse of it, writing nothing: Create's
// refusal when stored is "", else Update's of a campaign whose saved body
// is stored, lists that do not exist among them (unknownLists). A form
// refused for one fault (a send time in a zone unknown) names the others
// with it.
func (s *Service) Check(ctx context.Context, c *Campaign, stored string) error {
	unknown, err := unknownLists(ctx, s.db.Read, c.Lists)
	if err != nil {
		return err
	}
	return withListFault(c.validate(s.now(), stored), unknown)
}

// validate checks what an editor gives and fills in the defaults. stored
// is the body saved before the edit: a body stored already is not refused
// for what only a new one is (a relative link, checkLinks), but one
// holding an element mail cannot show (refusedElement) is, changed or not:
// it sends without the element, and saving it is when its editor learns.
func (c *Campaign) validate(now time.Time, stored string) error {
	if len(c.Body) <= 512<<10 && shapeFaults(c.Body) == nil && refusedElement(c.Body) != nil {
		stored = ""
	}
	return c.check(now, true, stored)
}

// check is validate; without needLists a draft (no send_at) may name no
// list. Such a draft is nothing new: deleting a list takes it out of the
// drafts that named it. Sending, scheduling and saving it still ask for a
// list, through validate and Send's audience check.
func (c *Campaign) check(now time.Time, needLists bool, stored string) error {
	fields := map[string]string{}
	c.Subject = strings.TrimSpace(c.Subject)
	switch {
	case c.Subject == "":
		fields["subject"] = "write a subject of 1–200 characters"
	case utf8.RuneCountInString(c.Subject) > 200:
		fields["subject"] = "keep the subject to at most 200 characters"
	case strings.ContainsFunc(c.Subject, unicode.IsControl):
		fields["subject"] = "keep the subject to one line, without control characters"
	case hasPersonalField(c.Subject):
		fields["subject"] = "the subject is the same for every reader: use {{ .Name }} and {{ .Email }} in the body only"
	}
	c.Preheader = strings.TrimSpace(c.Preheader)
	switch {
	case utf8.RuneCountInString(c.Preheader) > maxPreheader:
		fields["preheader"] = fmt.Sprintf("keep the preheader to at most %d characters", maxPreheader)
	case strings.ContainsFunc(c.Preheader, unicode.IsControl):
		fields["preheader"] = "keep the preheader to one line, without control characters"
	case hasPersonalField(c.Preheader):
		fields["preheader"] = "the preheader is the same for every reader: use {{ .Name }} and {{ .Email }} in the body only"
	}
	if strings.TrimSpace(c.Body) == "" {
		fields["body"] = "write the body, in Markdown"
	} else if len(c.Body) > 512<<10 {
		fields["body"] = "keep the body to at most 512 KiB"
	} else if faults := bodyFaults(c.Body, stored); len(faults) > 0 {
		fields["body"] = joinFaults(faults)
	}
	if len(c.Lists) == 0 && (needLists || c.SendAt != nil) {
		fields["lists"] = "choose at least one list"
	}
	if c.SendAt != nil && c.SendAt.Before(now.Add(-time.Minute)) {
		fields["send_at"] = "choose a time from now on: this one is in the past"
	}
	c.SendZone = strings.TrimSpace(c.SendZone)
	if why := checkSendZone(c.SendZone, c.SendAt != nil); why != "" {
		fields["send_zone"] = why
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// Create validates c, renders its body and stores it as a draft, or as
// scheduled when it has a send_at.
func (s *Store) Create(ctx context.Context, c *Campaign) error { return s.create(ctx, c, true, "") }

// create is Create; without needLists a draft may name no list (see
// check).
func (s *Store) create(ctx context.Context, c *Campaign, needLists bool, stored string) error {
	now := s.now()
	unknown, err := unknownLists(ctx, s.db.Read, c.Lists)
	if err != nil {
		return err
	}
	if err := withFixedZone(ctx, s.db.Read, withListFault(c.check(now, needLists, stored), unknown), c, ""); err != nil {
		return err
	}
	html, text, err := RenderFor(c.Body, archiveReader)
	if err != nil {
		return err
	}
	c.Status, c.CreatedAt = StatusDraft, now
	if c.SendAt != nil {
		t := c.SendAt.UTC().Truncate(time.Second)
		c.SendAt, c.Status = &t, StatusScheduled
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (kind, subject, preheader, body, body_html, body_text, status, send_at, send_zone, created_at, updated_at)
			VALUES ('campaign', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Subject, c.Preheader, c.Body, html, text, c.Status, c.SendAt, c.SendZone, now, now)
		if err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return insertLists(ctx, tx, c)
	})
}

// Get returns the campaign with its lists, stats and audience.
func (s *Store) Get(ctx context.Context, id int64) (*Campaign, error) {
	c, err := s.head(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, s.fill(ctx, c)
}

// head returns the campaign's own row, without what fill adds: a draft's
// audience is a count of its readers, which a status check need not wait
// for.
func (s *Store) head(ctx context.Context, id int64) (*Campaign, error) {
	row := s.db.Read.QueryRowContext(ctx, `SELECT id, subject, preheader, body, status, send_at, send_zone, created_at, started_at, finished_at, missed_send_at
		FROM campaigns WHERE id = ? AND kind = 'campaign'`, id)
	c, err := scanCampaign(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no campaign %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("get campaign: %w", err)
	}
	return c, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanCampaign(r scanner) (*Campaign, error) {
	var c Campaign
	var sendAt, started, finished, missed sql.NullTime
	if err := r.Scan(&c.ID, &c.Subject, &c.Preheader, &c.Body, &c.Status, &sendAt, &c.SendZone, &c.CreatedAt, &started, &finished, &missed); err != nil {
		return nil, err
	}
	c.SendAt, c.StartedAt, c.FinishedAt, c.MissedSendAt = timePtr(sendAt), timePtr(started), timePtr(finished), timePtr(missed)
	c.Lists = []string{}
	return &c, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func (s *Store) lists(ctx context.Context, id int64) ([]string, error) {
	slugs, err := sqlite.Column[string](s.db.Read.QueryContext(ctx, `SELECT l.slug FROM campaign_lists cl JOIN lists l ON l.id = cl.list_id
		WHERE cl.campaign_id = ? ORDER BY `+listOrder, id))
	if err != nil {
		return nil, fmt.Errorf("campaign lists: %w", err)
	}
	if slugs == nil {
		slugs = []string{} // [] in the API's JSON, not null
	}
	return slugs, nil
}

// stats counts deliveries by status on the (campaign_id, status) index,
// plus the totals of those folded away (see Folder), in one statement so
// that a fold committing meanwhile is counted once.
func (s *Store) stats(ctx context.Context, id int64) (Stats, error) {
	var st Stats
	err := s.db.Read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM deliveries WHERE campaign_id = c.id AND status = 'queued'),
		(SELECT COUNT(*) FROM deliveries WHERE campaign_id = c.id AND status = 'sent') + c.folded_sent,
		(SELECT COUNT(*) FROM deliveries WHERE campaign_id = c.id AND status = 'failed') + c.folded_failed,
		(SELECT COUNT(*) FROM deliveries WHERE campaign_id = c.id AND status = 'bounced') + c.folded_bounced,
		(SELECT COUNT(*) FROM deliveries WHERE campaign_id = c.id AND status = 'skipped') + c.folded_skipped
		FROM campaigns c WHERE c.id = ?`, id).Scan(&st.Queued, &st.Sent, &st.Failed, &st.Bounced, &st.Skipped)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("campaign stats: %w", err)
	}
	st.Total = st.Queued + st.Sent + st.Failed + st.Bounced + st.Skipped
	if st.Queued > 0 {
		var w Waiting
		switch err := s.db.Read.QueryRowContext(ctx, waitingSQL, id).Scan(&w.Reply, &w.At); {
		case err == nil:
			st.Waiting = &w
		case !errors.Is(err, sql.ErrNoRows):
			return st, fmt.Errorf("campaign stats: %w", err)
		}
		if st.Waiting != nil {
			// A message sent since that answer says the server takes mail
			// again: those it refused wait only for their retry, and the
			// note stayed until the campaign ended.
			var last sql.NullTime
			err := s.db.Read.QueryRowContext(ctx, lastSentSQL, id).Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return st, fmt.Errorf("campaign stats: %w", err)
			}
			if last.Valid && last.Time.After(st.Waiting.At) {
				st.Waiting = nil
			}
		}
	}
	// On the events (campaign_id, kind) index.
	if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE campaign_id = ? AND kind = 'complaint'`, id).Scan(&st.Complaints); err != nil {
		return st, fmt.Errorf("campaign stats: %w", err)
	}
	return st, nil
}

// List returns campaigns after the id after, newest first is not kept:
// keyset pages go by id, and the next cursor is 0 on the last page.
func (s *Store) List(ctx context.Context, after int64, limit int) ([]*Campaign, int64, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, subject, preheader, body, status, send_at, send_zone, created_at, started_at, finished_at, missed_send_at
		FROM campaigns WHERE kind = 'campaign' AND id > ? ORDER BY id LIMIT ?`, after, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list campaigns: %w", err)
	}
	out, err := collect(rows, scanCampaign)
	if err != nil {
		return nil, 0, err
	}
	out, next := nextPage(out, limit, func(c *Campaign) int64 { return c.ID })
	if err := s.fillAll(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, next, nil
}
