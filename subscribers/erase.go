package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Erase removes subscriber id for good: the row, its subscriptions and its
// deliveries, and its address's entry on the suppression list. What stays
// is a keyed hash of the address in erasures, so an
// import cannot bring the person back without anyone noticing. The
// GoneRecorder is told, since send workers hold the address in tasks, and
// so is the erase hook (SetEraseHook), once the erasure is committed.
func (s *Store) Erase(ctx context.Context, id int64) error {
	addrs, err := s.erase(ctx, id)
	if err != nil {
		return err
	}
	s.recordGone(ctx, id)
	if s.erased != nil {
		s.erased(ctx, addrs)
	}
	return nil
}

// SetEraseHook sets f to be told, once an erasure is committed, of the
// addresses the erased person had: their present one, and those erase
// found they had before (earlierAddresses). serve removes their mail from
// the outbox with it. It returns nothing: the erasure stands whatever f
// does, and f logs its own failures.
func (s *Store) SetEraseHook(f func(ctx context.Context, addrs []string)) { s.erased = f }

// earlierAddresses returns the addresses subscriber id had before an
// editor last gave them another (their present one is email), as far as
// the database can tell, each once, as signup stores them (addressKey):
// those of the bounces and complaints recorded under their id before that
// change. Such an event was stored with the address the reader had then;
// one recorded since about mail to an old address names whatever its
// report said (events.oldAddressTx: a forwarding target, anyone), so it is
// not taken, nor is an address that is now another reader's.
func earlierAddresses(ctx context.Context, q sqlite.Querier, id int64, email string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.email FROM events e JOIN subscribers s ON s.id = e.subscriber_id
		WHERE e.subscriber_id = ? AND e.email <> '' AND s.email_changed_at IS NOT NULL
		AND julianday(e.recorded_at) <= julianday(s.email_changed_at) ORDER BY e.id`, id)
	if err != nil {
		return nil, err
	}
	var named []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return nil, err
		}
		named = append(named, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	seen := map[string]bool{EmailKey(email): true}
	var out []string
	for _, e := range named {
		k := addressKey(e)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		var taken int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM subscribers WHERE email_key = ?`, k).Scan(&taken)
		if errors.Is(err, sql.ErrNoRows) {
			out = append(out, k)
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// deliveries has no index that starts with subscriber_id: one would cost
// every digest an index write per reader, into pages spread over the
// whole index, to serve an erasure or a person's export now and then. Its
// UNIQUE (campaign_id, subscriber_id) index serves them instead, sought
// once per campaign (a few hundred a year), where a search by
// subscriber_id alone reads the whole table: 0.4 s at 9 million rows, 90
// days of a daily digest to 100,000 readers, measured.

// foldErasedSQL adds an erased reader's deliveries to their campaigns'
// folded totals, so that what was sent (and a report's rates) does not
// change when the rows go with them.
const foldErasedSQL = `UPDATE campaigns SET
	folded_sent = folded_sent + (SELECT COUNT(*) FROM deliveries d WHERE d.campaign_id = campaigns.id AND d.subscriber_id = ?1 AND d.status = 'sent'),
	folded_failed = folded_failed + (SELECT COUNT(*) FROM deliveries d WHERE d.campaign_id = campaigns.id AND d.subscriber_id = ?1 AND d.status = 'failed'),
	folded_bounced = folded_bounced + (SELECT COUNT(*) FROM deliveries d WHERE d.campaign_id = campaigns.id AND d.subscriber_id = ?1 AND d.status = 'bounced'),
	folded_skipped = folded_skipped + (SELECT COUNT(*) FROM deliveries d WHERE d.campaign_id = campaigns.id AND d.subscriber_id = ?1 AND d.status = 'skipped')
	WHERE id IN (SELECT campaign_id FROM deliveries
		WHERE campaign_id IN (SELECT id FROM campaigns) AND subscriber_id = ?1 AND status <> 'queued')`

// deliveriesOfSQL, clicksOfSQL and opensOfSQL list a reader's
// deliveries, clicks and opens for their export; each CROSS JOIN keeps
// campaigns the outer loop.
const (
	deliveriesOfSQL = `SELECT d.campaign_id, c.subject, d.status, d.attempts, d.sent_at
		FROM campaigns c CROSS JOIN deliveries d ON d.campaign_id = c.id AND d.subscriber_id = ?
		ORDER BY d.id`
	clicksOfSQL = `SELECT h.campaign_id, COALESCE(l.url, ''), h.at, h.machine, h.reason
		FROM campaigns c CROSS JOIN deliveries d ON d.campaign_id = c.id AND d.subscriber_id = ?
		JOIN clicks h ON h.delivery_id = d.id
		LEFT JOIN campaign_links l ON l.campaign_id = h.campaign_id AND l.idx = h.link_idx
		ORDER BY h.id`
	opensOfSQL = `SELECT h.campaign_id, h.at, h.machine, h.reason
		FROM campaigns c CROSS JOIN deliveries d ON d.campaign_id = c.id AND d.subscriber_id = ?
		JOIN opens h ON h.delivery_id = d.id
		ORDER BY h.id`
)

// erase is Erase's transaction; it returns the addresses it erased.
func (s *Store) erase(ctx context.Context, id int64) ([]string, error) {
	var addrs []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var email string
		err := tx.QueryRowContext(ctx, `SELECT email FROM subscribers WHERE id = ?`, id).Scan(&email)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSubscriber
		} else if err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		mine, err := storedEvents(ctx, tx, `WHERE subscriber_id = ? ORDER BY id`, id)
		if err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		// The suppression list holds addresses in clear text: an erased
		// reader's goes too, and so do the entries of the addresses
		// they had before (a whole domain's entry is no one's data).
		// The keyed hashes in erasures still flag the addresses to
		// imports and admin adds; a new signup needs its owner's click,
		// which is consent again.
		earlier, err := earlierAddresses(ctx, tx, id, email)
		if err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		addrs = append([]string{email}, earlier...)
		for _, addr := range addrs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO erasures (email_hash, erased_at) VALUES (?, ?)
				ON CONFLICT (email_hash) DO NOTHING`, s.EmailHash(addr), sqlite.Now()); err != nil {
				return fmt.Errorf("erase: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM suppressions WHERE target = ?`, EmailKey(addr)); err != nil {
				return fmt.Errorf("erase: %w", err)
			}
		}
		if err := forgetAddressOnlyEvents(ctx, tx, email, mine); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		if err := hooks.ForgetSubscriber(ctx, tx, id); err != nil {
			return err
		}
		if err := hooks.EmitSubscriber(ctx, tx, hooks.SubscriberErased, id); err != nil {
			return err
		}
		// Their deliveries go with them (the foreign key's cascade,
		// which does read the whole table: SQLite looks a deleted row's
		// children up by the child key, and only an index on it would
		// spare that), kept in their campaigns' folded totals.
		if _, err := tx.ExecContext(ctx, foldErasedSQL, id); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscribers WHERE id = ?`, id); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return addrs, nil
}

// forgetAddressOnlyEvents blanks the address and diagnostic of the events
// that name no reader but an address of the person being erased (see
// addressOnlyEvents; mine are the events under their id), as the
// events_erase trigger does for those under their id when their row
// goes: kept, they would hold the very address the erasure removes
// everywhere else.
func forgetAddressOnlyEvents(ctx context.Context, tx *sql.Tx, email string, mine []storedEvent) error {
	theirs, err := addressOnlyEvents(ctx, tx, email, mine)
	if err != nil {
		return err
	}
	for _, e := range theirs {
		if _, err := tx.ExecContext(ctx, `UPDATE events SET email = '', diagnostic = '' WHERE id = ?`, e.id); err != nil {
			return err
		}
	}
	return nil
}

// An Export is everything stored about one person (a data-subject access
// request): the subscriber, each subscription and each delivery, the
// bounces and complaints recorded for them, their address's suppression,
// and the clicks and opens their deliveries name.
type Export struct {
	Subscriber    *Subscriber          `json:"subscriber"`
	Subscriptions []ExportSubscription `json:"subscriptions"`
	Deliveries    []ExportDelivery     `json:"deliveries"`
	// LastMailedAt is when the person was last mailed, also by the
	// deliveries folded away after the retention period (campaigns.Folder).
	LastMailedAt *time.Time `json:"last_mailed_at"`
	// SignupRequest is a signup for the address waiting for its click.
	SignupRequest *ExportSignupRequest `json:"signup_request,omitempty"`
	// EmailChangedAt is when an editor last gave the person another
	// address, if ever.
	EmailChangedAt *time.Time `json:"email_changed_at,omitempty"`
	// Events are the bounces and complaints recorded for the person,
	// with the receiving side's words.
	Events []ExportEvent `json:"events"`
	// Suppression is their address's entry on the suppression list.
	Suppression *ExportSuppression `json:"suppression,omitempty"`
	// EarlierSuppressions are the entries of the addresses they had
	// before an editor gave them another, as far as the bounces and
	// complaints recorded before that change name them (see
	// earlierAddresses).
	EarlierSuppressions []ExportSuppression `json:"earlier_suppressions"`
	// Clicks and Opens are the hits that name one of their deliveries
	// (a campaign whose tracking was on), machine ones included and
	// marked: anonymous hits name no one.
	Clicks []ExportClick `json:"clicks"`
	Opens  []ExportOpen  `json:"opens"`
}

// An ExportEvent is a bounce or complaint, in the words of the events API.
type ExportEvent struct {
	Type string `json:"type"` // bounce or complaint
	// Bounce is hard or soft, for a bounce.
	Bounce     string    `json:"bounce,omitempty"`
	CampaignID *int64    `json:"campaign_id"`
	Source     string    `json:"source"`
	Status     string    `json:"status"`
	Diagnostic string    `json:"diagnostic"`
	Email      string    `json:"email"`
	At         time.Time `json:"at"`
}

// An ExportSuppression is the person's address on the suppression list.
type ExportSuppression struct {
	Address   string    `json:"address"`
	Reason    string    `json:"reason"`
	Source    string    `json:"source"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// An ExportClick is a click on a tracked link of a message to the person.
type ExportClick struct {
	CampaignID int64     `json:"campaign_id"`
	URL        string    `json:"url"`
	At         time.Time `json:"at"`
	// Machine is set for a hit a program made (a link scanner, a mail
	// provider's proxy), with Reason saying which.
	Machine bool   `json:"machine"`
	Reason  string `json:"reason,omitempty"`
}

// An ExportOpen is an open of a message to the person.
type ExportOpen struct {
	CampaignID int64     `json:"campaign_id"`
	At         time.Time `json:"at"`
	Machine    bool      `json:"machine"`
	Reason     string    `json:"reason,omitempty"`
}

// An ExportSubscription is one list membership, ended ones included.
type ExportSubscription struct {
	List      string    `json:"list"`
	ListName  string    `json:"list_name"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// An ExportDelivery is one campaign or digest mailed to the person.
type ExportDelivery struct {
	CampaignID int64      `json:"campaign_id"`
	Subject    string     `json:"subject"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	SentAt     *time.Time `json:"sent_at"`
}

// ExportOf returns everything stored about subscriber id.
func (s *Store) ExportOf(ctx context.Context, id int64) (*Export, error) {
	sub, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &Export{Subscriber: sub, Subscriptions: []ExportSubscription{}, Deliveries: []ExportDelivery{}}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT l.slug, l.name, s.status, s.created_at, s.updated_at
		FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE s.subscriber_id = ? ORDER BY l.id`, id)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	for rows.Next() {
		var e ExportSubscription
		if err := rows.Scan(&e.List, &e.ListName, &e.Status, &e.CreatedAt, &e.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("export: %w", err)
		}
		out.Subscriptions = append(out.Subscriptions, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if out.Deliveries, err = s.deliveriesOf(ctx, id); err != nil {
		return nil, err
	}
	if out.LastMailedAt, err = s.lastMailed(ctx, id, out.Deliveries); err != nil {
		return nil, err
	}
	if out.SignupRequest, err = s.requestOf(ctx, id); err != nil {
		return nil, err
	}
	if err := s.db.Read.QueryRowContext(ctx, `SELECT email_changed_at FROM subscribers WHERE id = ?`, id).
		Scan(&out.EmailChangedAt); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if out.Events, err = s.eventsOf(ctx, id, sub.Email); err != nil {
		return nil, err
	}
	if out.Suppression, err = s.suppressionOf(ctx, sub.Email); err != nil {
		return nil, err
	}
	earlier, err := earlierAddresses(ctx, s.db.Read, id, sub.Email)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	out.EarlierSuppressions = []ExportSuppression{}
	for _, addr := range earlier {
		sp, err := s.suppressionOf(ctx, addr)
		if err != nil {
			return nil, err
		}
		if sp != nil {
			out.EarlierSuppressions = append(out.EarlierSuppressions, *sp)
		}
	}
	if out.Clicks, err = exportRows(ctx, s, clicksOfSQL, id, scanExportClick); err != nil {
		return nil, fmt.Errorf("export clicks: %w", err)
	}
	if out.Opens, err = exportRows(ctx, s, opensOfSQL, id, scanExportOpen); err != nil {
		return nil, fmt.Errorf("export opens: %w", err)
	}
	return out, nil
}

// exportRows runs query for subscriber id and returns its rows as scan
// reads them: an empty slice, not nil, when there is none.
func exportRows[T any](ctx context.Context, s *Store, query string, id int64, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := s.db.Read.QueryContext(ctx, query, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanExportEvent(r scanner) (ExportEvent, error) {
	var e ExportEvent
	var kind string
	var campaign sql.NullInt64
	if err := r.Scan(&kind, &campaign, &e.Source, &e.Status, &e.Diagnostic, &e.Email, &e.At); err != nil {
		return e, err
	}
	e.Type, e.Bounce, _ = strings.Cut(kind, "_") // bounce_hard, bounce_soft, complaint
	if campaign.Valid {
		e.CampaignID = &campaign.Int64
	}
	e.At = e.At.UTC()
	return e, nil
}

func scanExportClick(r scanner) (ExportClick, error) {
	var c ExportClick
	err := r.Scan(&c.CampaignID, &c.URL, &c.At, &c.Machine, &c.Reason)
	c.At = c.At.UTC()
	return c, err
}

func scanExportOpen(r scanner) (ExportOpen, error) {
	var o ExportOpen
	err := r.Scan(&o.CampaignID, &o.At, &o.Machine, &o.Reason)
	o.At = o.At.UTC()
	return o, err
}

// suppressionOf is the suppression list's entry for email, nil when it
// has none. A whole domain's entry is no one's data: it is left out.
func (s *Store) suppressionOf(ctx context.Context, email string) (*ExportSuppression, error) {
	sp := ExportSuppression{Address: EmailKey(email)}
	err := s.db.Read.QueryRowContext(ctx, `SELECT reason, source, note, created_at FROM suppressions WHERE target = ?`, sp.Address).
		Scan(&sp.Reason, &sp.Source, &sp.Note, &sp.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("export suppression: %w", err)
	}
	sp.CreatedAt = sp.CreatedAt.UTC()
	return &sp, nil
}

func (s *Store) deliveriesOf(ctx context.Context, id int64) ([]ExportDelivery, error) {
	rows, err := s.db.Read.QueryContext(ctx, deliveriesOfSQL, id)
	if err != nil {
		return nil, fmt.Errorf("export deliveries: %w", err)
	}
	defer rows.Close()
	out := []ExportDelivery{}
	for rows.Next() {
		var d ExportDelivery
		var sent sql.NullTime
		if err := rows.Scan(&d.CampaignID, &d.Subject, &d.Status, &d.Attempts, &sent); err != nil {
			return nil, fmt.Errorf("export deliveries: %w", err)
		}
		if sent.Valid {
			d.SentAt = &sent.Time
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// lastMailed is the later of the person's folded last_mailed_at and the
// sent_at of their deliveries ds.
func (s *Store) lastMailed(ctx context.Context, id int64, ds []ExportDelivery) (*time.Time, error) {
	var folded sql.NullTime
	if err := s.db.Read.QueryRowContext(ctx, `SELECT last_mailed_at FROM subscribers WHERE id = ?`, id).Scan(&folded); err != nil {
		return nil, fmt.Errorf("export last mailed: %w", err)
	}
	var last *time.Time
	if folded.Valid {
		t := folded.Time.UTC()
		last = &t
	}
	for _, d := range ds {
		if d.SentAt != nil && (last == nil || d.SentAt.After(*last)) {
			t := d.SentAt.UTC()
			last = &t
		}
	}
	return last, nil
}
