package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/hooks"
)

// Record stores events in one transaction and applies their rules in it:
//   - a hard bounce makes its reader bounced at once and suppresses the
//     address; a reader who had unsubscribed stays unsubscribed (their
//     own choice), the bounce counted in their bounce_count;
//   - a soft bounce does the same when it makes SoftBounces mails of the
//     reader's that soft-bounced within SoftWindow (several reports of
//     one campaign's mail are one);
//   - a complaint unsubscribes the reader from every list and suppresses
//     the address;
//   - a bounce or complaint about no reader (an address no reader has,
//     a test send's, an erased reader's) is stored and changes nothing:
//     only a reader's address is suppressed, so an address Bulletin
//     mailed as no reader's stays usable (see bounceTx);
//   - an unsubscribe unsubscribes the reader from every list, as the
//     one-click unsubscribe does, and suppresses nothing; it is stored
//     for the reader's page, and kept out of every count of bounces and
//     complaints. One older than the reader's joining again changes
//     nothing and is stored as ignored (see unsubscribeTx); one about no
//     reader is not stored;
//   - a bounce of a known delivery marks that delivery bounced;
//   - a bounce of a delivery sent before the reader was given another
//     address is about the old one: it suppresses the address the event
//     reports when that is a whole address no reader has now (see
//     oldAddressTx), and leaves the reader alone; a complaint still
//     unsubscribes them.
//
// An event whose key is stored already changes nothing: Record returns
// how many were new. Readers who can no longer get mail are told to the
// GoneRecorder once committed.
func (s *Store) Record(ctx context.Context, evs []Event) (int, error) {
	for i := range evs {
		if err := evs[i].check(); err != nil {
			return 0, err
		}
	}
	now := s.now()
	var stored int
	var gone []int64
	isNew := make([]bool, len(evs))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		stored, gone = 0, gone[:0]
		for i := range evs {
			ok, sid, err := recordTx(ctx, tx, &evs[i], now)
			if err != nil {
				return err
			}
			isNew[i] = ok
			if ok {
				stored++
			}
			if sid != 0 {
				gone = append(gone, sid)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.metrics.count(evs, isNew)
	if s.gone != nil && len(gone) > 0 {
		s.gone.RecordGone(ctx, gone...)
	}
	return stored, nil
}

// check validates e before it goes near the database.
func (e *Event) check() error {
	switch e.Kind {
	case BounceHard, BounceSoft, Complaint, Unsubscribe:
	default:
		return bulletin.Errorf(bulletin.EINVALID, "An event's kind is bounce_hard, bounce_soft, complaint or unsubscribe, not %q.", e.Kind)
	}
	switch e.Source {
	case SourceSMTP, SourceDSN, SourceARF, SourceNDR, SourceIMAP, SourceSES, SourcePostmark, SourceSendGrid, SourceMailgun:
	default:
		return bulletin.Errorf(bulletin.EINVALID, "Unknown event source %q.", e.Source)
	}
	if e.Key == "" {
		if e.CampaignID <= 0 || e.SubscriberID <= 0 {
			return bulletin.Errorf(bulletin.EINVALID, "An event without its delivery needs a dedupe key.")
		}
		e.Key = DeliveryKey(e.Kind, e.CampaignID, e.SubscriberID)
	}
	if !ValidStatus(e.Status) {
		e.Status = ""
	}
	e.Diagnostic = clip(e.Diagnostic, 500)
	e.Email = strings.TrimSpace(e.Email)
	return nil
}

// target is whom an event is about, as found in the database.
type target struct {
	delivery       int64 // 0 when the delivery is not known
	campaign, sub  int64
	email          string
	deliveryStatus string
	// moved says the reader has had another address since the delivery
	// was sent: the event is about the old one, and email is then the
	// address the event reports, or "" when it reports none or one that
	// cannot be taken for the old address (see oldAddressTx).
	moved bool
}

// deliveryTarget reads a delivery found by an event, with its reader's
// address and whether it changed since the delivery was sent.
const deliveryTarget = `SELECT d.id, d.status, d.campaign_id, d.subscriber_id, s.email,
	COALESCE(julianday(s.email_changed_at) > julianday(COALESCE(d.sent_at, d.updated_at)), 0)
	FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id`

// scanDelivery reads the deliveryTarget row that where selects into t;
// e's address stands for the reader's when theirs changed since, if it may
// (see oldAddressTx).
func (t *target) scanDelivery(ctx context.Context, tx *sql.Tx, e *Event, where string, args ...any) error {
	err := tx.QueryRowContext(ctx, deliveryTarget+where, args...).Scan(&t.delivery, &t.deliveryStatus, &t.campaign, &t.sub, &t.email, &t.moved)
	if err != nil || !t.moved {
		return err
	}
	t.email, err = oldAddressTx(ctx, tx, e.Email)
	return err
}

// oldAddressTx returns the address an event about mail sent to a moved
// reader's old address, or about no reader at all, may suppress: the
// address the event reports, as a reader's is stored (emailKey), when it
// is one whole address that is no reader's present address; "" otherwise.
//
// What a report says is whatever its sender wrote: a DSN's
// Final-Recipient, an ARF report's Original-Rcpt-To, come from whoever
// holds the old mail's VERP address (the old mailbox's owner, anyone it
// was forwarded to), so they are not trusted to name the old address. A
// bare domain would suppress everyone there, and another reader's address
// (or this reader's new one) would cut that reader off, so neither is
// taken. The addresses this reader's earlier events were stored with are
// no better a test: they were written from the same reports, so a forged
// soft bounce would plant an address there for a later hard one to
// suppress, and an old address may since be another reader's. What is
// left is an address no reader has now, whose suppression cuts no reader
// off; the reader's new address is never touched.
func oldAddressTx(ctx context.Context, tx *sql.Tx, reported string) (string, error) {
	key := addressKey(reported)
	if key == "" {
		return "", nil
	}
	var taken bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscribers WHERE email_key = ?)`, key).Scan(&taken); err != nil {
		return "", fmt.Errorf("resolve event: %w", err)
	}
	if taken {
		return "", nil
	}
	return key, nil
}

// addressKey is s as emailKey stores it when s is one whole address a
// reader's could be (ASCII once its domain is in IDNA form, one @ with
// something on both sides, a domain valid for DNS, nothing around the
// address); "" for anything else, a bare domain among them.
func addressKey(s string) string {
	key := emailKey(s)
	at := strings.LastIndexByte(key, '@')
	if at <= 0 || at == len(key)-1 || len(key) > 254 || !isASCII(key) || strings.ContainsAny(key, "\"<>,;:()[]\\ ") {
		return ""
	}
	if a, err := mail.ParseAddress(key); err != nil || a.Name != "" || a.Address != key {
		return ""
	}
	if d, err := idnaProfile.ToASCII(key[at+1:]); err != nil || d != key[at+1:] {
		return ""
	}
	return key
}

// recordTx stores one event and applies its rules. It reports whether the
// event was new and, when it left its reader unable to get mail, the
// reader's id.
func recordTx(ctx context.Context, tx *sql.Tx, e *Event, now time.Time) (bool, int64, error) {
	t, err := resolveTx(ctx, tx, e)
	if err != nil {
		return false, 0, err
	}
	at := e.At.UTC()
	if e.At.IsZero() {
		at = now
	}
	if e.Kind == Unsubscribe {
		return unsubscribeTx(ctx, tx, e, t, at, now)
	}
	isNew, err := insertTx(ctx, tx, e, t, at, now, false)
	if err != nil {
		return false, 0, err
	}
	if !isNew {
		return hardAfterSoftTx(ctx, tx, e, t, at, now)
	}
	gone, err := applyTx(ctx, tx, e, t, now)
	return true, gone, err
}

// insertTx stores e about t, happened at, and reports whether its key was
// new.
func insertTx(ctx context.Context, tx *sql.Tx, e *Event, t target, at, now time.Time, ignored bool) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO events (kind, source, status, diagnostic, campaign_id, subscriber_id,
		email, dedupe_key, at, recorded_at, ignored) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
		e.Kind, e.Source, e.Status, e.Diagnostic, nullID(t.campaign), nullID(t.sub), t.email, e.Key, at, now, ignored)
	if err != nil {
		return false, fmt.Errorf("record event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record event: %w", err)
	}
	return n > 0, nil
}

// hardAfterSoftTx takes a hard bounce whose key is stored already as a
// soft bounce: a delivery's key is one for both (DeliveryKey), and a
// message may be reported failed for now (a 4.x.x refusal at send time,
// an SES Transient bounce) before it fails for good (5.1.1). The stored
// event becomes the hard one and its rules apply, where the key alone
// would drop the hard bounce and leave the reader getting mail. Any
// other event whose key is stored changes nothing.
func hardAfterSoftTx(ctx context.Context, tx *sql.Tx, e *Event, t target, at, now time.Time) (bool, int64, error) {
	if e.Kind != BounceHard {
		return false, 0, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE events SET kind = ?, source = ?, status = ?, diagnostic = ?, at = ?, recorded_at = ?
		WHERE dedupe_key = ? AND kind = ?`, e.Kind, e.Source, e.Status, e.Diagnostic, at, now, e.Key, BounceSoft)
	if err != nil {
		return false, 0, fmt.Errorf("record event: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, 0, nil
	}
	if t.delivery != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET last_error = ?, updated_at = ? WHERE id = ? AND status = 'bounced'`,
			clip(e.Status+" "+e.Diagnostic, 500), now, t.delivery); err != nil {
			return false, 0, fmt.Errorf("mark delivery bounced: %w", err)
		}
	}
	gone, err := applyTx(ctx, tx, e, t, now)
	return true, gone, err
}

// resolveTx finds the delivery, reader and address an event is about:
// by its VERP address (campaign and reader), else by the relay's id of
// the message, else by its address. A delivery or reader that no longer
// exists (erased, its campaign deleted, folded) leaves what is still
// known.
func resolveTx(ctx context.Context, tx *sql.Tx, e *Event) (target, error) {
	t := target{email: e.Email}
	if e.NoReader {
		// A test send's: its address is not looked up, so that a test to
		// a reader's address touches no reader, as its DSN does not.
		var err error
		t.email, err = oldAddressTx(ctx, tx, e.Email)
		return t, err
	}
	if e.RelayID != "" && (e.CampaignID <= 0 || e.SubscriberID <= 0) {
		err := t.scanDelivery(ctx, tx, e, ` WHERE d.relay_id = ? ORDER BY d.id DESC LIMIT 1`, e.RelayID)
		// A relay that reuses its ids (Postfix's short queue ids) names
		// its newest delivery.
		switch {
		case err == nil:
			// The delivery's event, as with its VERP address: the same
			// bounce told by DSN and by webhook is one. An unsubscribe
			// keeps its own key (see Event.Key).
			e.CampaignID, e.SubscriberID = t.campaign, t.sub
			if e.Kind != Unsubscribe || e.Key == "" {
				e.Key = DeliveryKey(e.Kind, t.campaign, t.sub)
			}
			return t, nil
		case !errors.Is(err, sql.ErrNoRows):
			return t, fmt.Errorf("resolve event: %w", err)
		}
		t = target{email: e.Email}
	}
	var err error
	switch {
	case e.CampaignID > 0 && e.SubscriberID > 0:
		err = t.scanDelivery(ctx, tx, e, ` WHERE d.campaign_id = ? AND d.subscriber_id = ?`, e.CampaignID, e.SubscriberID)
		if err == nil {
			return t, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			break
		}
		t = target{email: e.Email}
		fallthrough
	case e.SubscriberID > 0:
		err = tx.QueryRowContext(ctx, `SELECT id, email FROM subscribers WHERE id = ?`, e.SubscriberID).Scan(&t.sub, &t.email)
	case e.Email != "":
		err = tx.QueryRowContext(ctx, `SELECT id, email FROM subscribers WHERE email_key = ?`, emailKey(e.Email)).Scan(&t.sub, &t.email)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("resolve event: %w", err)
	}
	switch {
	case t.sub != 0:
	case e.SubscriberID > 0:
		// The reader a VERP address named is gone: erased. What the
		// report names is whatever its sender wrote (a DSN's
		// Final-Recipient, an ARF report's Original-Rcpt-To), and
		// nothing of it is kept: a bare domain would suppress every
		// reader there, another reader's address would cut that reader
		// off, and the erased reader's own would be stored again.
		t.email = ""
	default:
		// No reader has the address reported: it is stored with the event
		// when it is one whole address, and suppressed by none (bounceTx).
		if t.email, err = oldAddressTx(ctx, tx, e.Email); err != nil {
			return t, err
		}
	}
	return t, nil
}

// softBouncedMails counts the mails to a reader's address (subscriber
// id, address) that soft-bounced since a time. It counts mails, not
// reports: two reports of one campaign's mail under different keys (a
// DSN and a provider's webhook, two ids a provider gave one message) are
// one. An event whose campaign is not known counts on its own: -id is no
// campaign's. It is a search of events_subscriber.
const softBouncedMails = `SELECT COUNT(DISTINCT COALESCE(campaign_id, -id)) FROM events
	WHERE subscriber_id = ? AND kind = 'bounce_soft' AND at > ? AND lower(email) = lower(?)`

// applyTx applies the rules of a new event (see Record), returning the
// reader it made unable to get mail, if any.
func applyTx(ctx context.Context, tx *sql.Tx, e *Event, t target, now time.Time) (int64, error) {
	if t.delivery != 0 && e.Kind != Complaint && t.deliveryStatus == "sent" {
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'bounced', last_error = ?, updated_at = ?
			WHERE id = ? AND status = 'sent'`, clip(e.Status+" "+e.Diagnostic, 500), now, t.delivery); err != nil {
			return 0, fmt.Errorf("mark delivery bounced: %w", err)
		}
	}
	switch {
	case e.Kind == Complaint:
		return complainTx(ctx, tx, t, e.Source, now)
	case t.moved:
		// The old address bounced, not the reader's present one: a hard
		// bounce suppresses it (t.email, "" unless oldAddressTx took it
		// for the old address), a soft one changes nothing.
		if e.Kind == BounceSoft {
			return 0, nil
		}
		return 0, suppressTx(ctx, tx, t.email, ReasonBounce, string(e.Source), now)
	case e.Kind == BounceSoft:
		if t.sub == 0 {
			return 0, nil
		}
		// Only the soft bounces of the reader's present address count:
		// those of mail to an address they had before are stored under
		// their id too, with that address (or none). t.email is the
		// present address as subscribers.email holds it, and the events
		// about it were stored with that same value; lower() on both sides
		// still matches one whose case differs (a change of case alone is
		// no new address), as email_key does.
		var n int
		if err := tx.QueryRowContext(ctx, softBouncedMails, t.sub, now.Add(-SoftWindow), t.email).Scan(&n); err != nil {
			return 0, fmt.Errorf("count soft bounces: %w", err)
		}
		if n < SoftBounces {
			return 0, nil
		}
		// Past the threshold, each further soft bounce is no new one to
		// count for a reader who stays unsubscribed (bounceTx).
		return bounceTx(ctx, tx, t, e.Source, n == SoftBounces, now)
	}
	return bounceTx(ctx, tx, t, e.Source, true, now)
}

// bounceTx suppresses the reader's address and makes a pending or
// confirmed reader bounced. A reader who had unsubscribed stays so: it
// was their choice, and a later signup is theirs to make (the address
// suppressed, it gets no mail); the bounce is counted on them when count
// is set (a hard bounce, the soft one that reached SoftBounces), as it
// is on a reader it makes bounced, and their events list it. No webhook
// tells of it: subscriber.bounced says the status became bounced, and
// nothing a WebhookSubscriber holds has changed (bounce_count is not in
// it). A bounced reader already counted theirs. An event about no reader
// suppresses nothing: the address it reports is none Bulletin mails as a
// reader's (a test send's, a stranger's, an erased reader's), and its
// owner's signup later must still be mailed (test sends do not look at
// the list: only a reader's mail is kept from a suppressed address).
func bounceTx(ctx context.Context, tx *sql.Tx, t target, src Source, count bool, now time.Time) (int64, error) {
	if t.sub == 0 {
		return 0, nil
	}
	if err := suppressTx(ctx, tx, t.email, ReasonBounce, string(src), now); err != nil {
		return 0, err
	}
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM subscribers WHERE id = ?`, t.sub).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("bounce subscriber: %w", err)
	}
	switch {
	case status == "pending" || status == "confirmed":
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'bounced', bounce_count = bounce_count + 1,
			confirm_queued = 0, updated_at = ? WHERE id = ?`, now, t.sub); err != nil {
			return 0, fmt.Errorf("bounce subscriber: %w", err)
		}
		return t.sub, hooks.EmitSubscriber(ctx, tx, hooks.SubscriberBounced, t.sub)
	case status == "unsubscribed" && count:
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET bounce_count = bounce_count + 1, updated_at = ? WHERE id = ?`,
			now, t.sub); err != nil {
			return 0, fmt.Errorf("count bounce: %w", err)
		}
	}
	return 0, nil
}

// complainTx unsubscribes the reader from every list, as the one-click
// unsubscribe does, and suppresses the address; a complaint about no
// reader suppresses nothing, as a bounce does not (bounceTx).
func complainTx(ctx context.Context, tx *sql.Tx, t target, src Source, now time.Time) (int64, error) {
	if t.sub == 0 {
		return 0, nil
	}
	if err := suppressTx(ctx, tx, t.email, ReasonComplaint, string(src), now); err != nil {
		return 0, err
	}
	if _, _, err := leaveTx(ctx, tx, t.sub, now); err != nil {
		return 0, err
	}
	return t.sub, hooks.EmitSubscriber(ctx, tx, hooks.SubscriberComplained, t.sub)
}

// unsubscribeTx stores an unsubscribe about reader t.sub, happened at,
// and unsubscribes them from every list, as the one-click unsubscribe
// does. It reports whether the event was new and returns the reader when
// leaving changed anything: one found gone already says nothing, as a
// second click does, and a retry of a stored one (its key) does nothing.
//
// A provider's report can come late (a retry after an outage) or tell of
// a click made before the reader joined again: a reader who confirmed, or
// whose subscription became active, after at chose that later, and keeps
// it. The unsubscribe is stored all the same, as ignored: the provider
// has put the address on its own list and drops every later mail to it,
// which the editor needs to see to take it off there. One without a time
// of its own (at is then now) is never older. One about no reader (an
// address no reader has, an erased reader's delivery) is not stored: it
// changes nothing, and would keep an address Bulletin has no reader for.
func unsubscribeTx(ctx context.Context, tx *sql.Tx, e *Event, t target, at, now time.Time) (bool, int64, error) {
	if t.sub == 0 {
		return false, 0, nil
	}
	var later bool
	if !e.At.IsZero() {
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscribers WHERE id = ?1 AND julianday(confirmed_at) > julianday(?2))
			OR EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = ?1 AND status = 'active' AND julianday(updated_at) > julianday(?2))`,
			t.sub, at).Scan(&later)
		if err != nil {
			return false, 0, fmt.Errorf("unsubscribe: %w", err)
		}
	}
	isNew, err := insertTx(ctx, tx, e, t, at, now, later)
	if err != nil || !isNew || later {
		return isNew, 0, err
	}
	was, left, err := leaveTx(ctx, tx, t.sub, now)
	if err != nil || !left {
		return true, 0, err
	}
	// subscriber.unsubscribed says the status became unsubscribed: a
	// bounced reader, who stays bounced, has only left their lists
	// (subscriber.updated), as with Bulletin's own link.
	after := "unsubscribed"
	if was == "bounced" {
		after = was
	}
	return true, t.sub, hooks.EmitSubscriber(ctx, tx, hooks.StatusEvent(was, after), t.sub)
}

// leaveTx does what subscribers.Store.Unsubscribe does to reader sid:
// every subscription ends, and any confirmation or signup request still
// waiting; a bounced reader stays bounced. It returns the reader's status
// before and reports whether the reader left anything, a list or a status
// that still took mail.
func leaveTx(ctx context.Context, tx *sql.Tx, sid int64, now time.Time) (string, bool, error) {
	var was string
	err := tx.QueryRowContext(ctx, `SELECT status FROM subscribers WHERE id = ?`, sid).Scan(&was)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("unsubscribe: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET
		status = CASE WHEN status = 'bounced' THEN status ELSE 'unsubscribed' END,
		unsubscribed_at = COALESCE(unsubscribed_at, ?), confirm_queued = 0, updated_at = ? WHERE id = ?`, now, now, sid); err != nil {
		return was, false, fmt.Errorf("unsubscribe: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM signup_requests WHERE subscriber_id = ?`, sid); err != nil {
		return was, false, fmt.Errorf("unsubscribe: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?
		WHERE subscriber_id = ? AND status != 'unsubscribed'`, now, sid)
	if err != nil {
		return was, false, fmt.Errorf("unsubscribe: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return was, false, fmt.Errorf("unsubscribe: %w", err)
	}
	return was, n > 0 || (was != "unsubscribed" && was != "bounced"), nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
