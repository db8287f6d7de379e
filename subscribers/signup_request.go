package subscribers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A request is a signup for an address already stored, waiting in
// signup_requests for the click on the link mailed to that address. Until
// then it changes nothing about the reader: anyone can type an address.
// The signups that come before the click add up in it (mergeRequest):
// nothing a reader asked for is lost.
type request struct {
	name        string
	lists       string // JSON array of list ids
	attributes  map[string]any
	requestedAt time.Time
}

// saveRequest adds in to subscriber id's request, for the mail about to go
// out: it names every list the request holds, and its link applies it.
func saveRequest(ctx context.Context, tx sqlite.Querier, id int64, status string, in *Signup, listIDs []int64, now time.Time) error {
	m, err := mergeRequest(ctx, tx, id, status, in, listIDs)
	if err != nil {
		return err
	}
	m.req.requestedAt = now
	return storeRequest(ctx, tx, id, m.req)
}

// storeRequest writes r as subscriber id's request.
func storeRequest(ctx context.Context, tx sqlite.Querier, id int64, r *request) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO signup_requests (subscriber_id, name, lists, attributes, requested_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (subscriber_id) DO UPDATE SET name = excluded.name, lists = excluded.lists,
			attributes = excluded.attributes, requested_at = excluded.requested_at`,
		id, r.name, r.lists, attributesJSON(r.attributes), r.requestedAt)
	if err != nil {
		return fmt.Errorf("save signup request: %w", err)
	}
	return nil
}

// loadRequest returns subscriber id's request, or nil when there is none.
func loadRequest(ctx context.Context, tx sqlite.Querier, id int64) (*request, error) {
	var r request
	var attrs string
	err := tx.QueryRowContext(ctx, `SELECT name, lists, attributes, requested_at FROM signup_requests WHERE subscriber_id = ?`, id).
		Scan(&r.name, &r.lists, &attrs, &r.requestedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load signup request: %w", err)
	}
	r.attributes = map[string]any{}
	_ = json.Unmarshal([]byte(attrs), &r.attributes)
	return &r, nil
}

// applyRequest carries out subscriber id's request now that the address
// has confirmed it, and removes it: its lists (those that still exist)
// become active, its name fills an empty one, and its attributes are added
// where the reader has none of that key. Nothing the reader has is
// overwritten.
func applyRequest(ctx context.Context, tx *sql.Tx, id int64, r *request, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM lists WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, r.lists)
	if err != nil {
		return fmt.Errorf("apply signup request: %w", err)
	}
	var listIDs []int64
	for rows.Next() {
		var lid int64
		if err := rows.Scan(&lid); err != nil {
			rows.Close()
			return err
		}
		listIDs = append(listIDs, lid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("apply signup request: %w", err)
	}
	if err := addSubscriptions(ctx, tx, id, listIDs, SubActive, now); err != nil {
		return err
	}
	if err := fillName(ctx, tx, id, r.name, now); err != nil {
		return fmt.Errorf("apply signup request: %w", err)
	}
	if err := addAttributes(ctx, tx, id, r.attributes, now); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM signup_requests WHERE subscriber_id = ?`, id)
	return err
}

// addAttributes adds to subscriber id's attributes the keys of add it
// lacks, as long as the whole stays within MaxAttributesLen.
func addAttributes(ctx context.Context, tx *sql.Tx, id int64, add map[string]any, now time.Time) error {
	if len(add) == 0 {
		return nil
	}
	var raw string
	if err := tx.QueryRowContext(ctx, `SELECT attributes FROM subscribers WHERE id = ?`, id).Scan(&raw); err != nil {
		return fmt.Errorf("add attributes: %w", err)
	}
	have := map[string]any{}
	_ = json.Unmarshal([]byte(raw), &have)
	n := len(have)
	for k, v := range add {
		if _, ok := have[k]; !ok {
			have[k] = v
		}
	}
	merged := attributesJSON(have)
	if len(have) == n || len(merged) > MaxAttributesLen {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE subscribers SET attributes = ?, updated_at = ? WHERE id = ?`, merged, now, id)
	return err
}

// joinsNewList reports whether listIDs holds a list subscriber id is not
// active on.
func joinsNewList(ctx context.Context, tx sqlite.Querier, id int64, listIDs []int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM json_each(?) WHERE value NOT IN
		(SELECT list_id FROM subscriptions WHERE subscriber_id = ? AND status = 'active')`, idsJSON(listIDs), id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("signup: %w", err)
	}
	return n > 0, nil
}

// listNames returns the name of every list by id, for mailLists.
func listNames(ctx context.Context, tx sqlite.Querier) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM lists`)
	if err != nil {
		return nil, fmt.Errorf("list names: %w", err)
	}
	defer rows.Close()
	names := map[int64]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("list names: %w", err)
		}
		names[id] = n
	}
	return names, rows.Err()
}

// subscriptionsOf reads the subscriptions of the subscribers ids, by
// primary key, in one query: subscriber, list, status.
func subscriptionsOf(ctx context.Context, tx sqlite.Querier, ids []int64) (map[int64]map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT subscriber_id, list_id, status FROM subscriptions
		WHERE subscriber_id IN (SELECT value FROM json_each(?))`, idsJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("list names: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]map[int64]string, len(ids))
	for rows.Next() {
		var sid, lid int64
		var st string
		if err := rows.Scan(&sid, &lid, &st); err != nil {
			return nil, fmt.Errorf("list names: %w", err)
		}
		if out[sid] == nil {
			out[sid] = map[int64]string{}
		}
		out[sid][lid] = st
	}
	return out, rows.Err()
}

// mailLists returns the names of the lists a confirmation mail asks a
// subscriber to confirm, in list order: for a pending subscriber the
// lists it is joining, and for anyone the lists of its request (reqLists,
// a JSON array of ids) it is not active on. subs is the subscriber's
// subscriptions (list → status, from subscriptionsOf) and names is
// listNames': a list not in it is gone and left out.
func mailLists(names map[int64]string, subs map[int64]string, status, reqLists string) ([]string, error) {
	var req []int64
	if err := json.Unmarshal([]byte(reqLists), &req); err != nil {
		return nil, fmt.Errorf("list names: request lists %q: %w", reqLists, err)
	}
	var ids []int64
	if status == SubPending {
		for lid, st := range subs {
			if st != SubUnsubscribed {
				ids = append(ids, lid)
			}
		}
	}
	for _, lid := range req {
		if subs[lid] != SubActive {
			ids = append(ids, lid)
		}
	}
	slices.Sort(ids)
	var out []string
	for _, lid := range slices.Compact(ids) {
		if n, ok := names[lid]; ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// An ExportSignupRequest is a signup for a known address that waits for
// the click on its mailed link.
type ExportSignupRequest struct {
	Name        string         `json:"name"`
	Lists       []string       `json:"lists"` // slugs
	Attributes  map[string]any `json:"attributes"`
	RequestedAt time.Time      `json:"requested_at"`
}

// requestOf returns subscriber id's waiting request, or nil.
func (s *Store) requestOf(ctx context.Context, id int64) (*ExportSignupRequest, error) {
	var r ExportSignupRequest
	var attrs string
	var lists sql.NullString
	err := s.db.Read.QueryRowContext(ctx, `SELECT r.name, r.attributes, r.requested_at,
		(SELECT group_concat(l.slug, ',') FROM lists l WHERE l.id IN (SELECT value FROM json_each(r.lists)))
		FROM signup_requests r WHERE r.subscriber_id = ?`, id).Scan(&r.Name, &attrs, &r.RequestedAt, &lists)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("export signup request: %w", err)
	}
	r.Lists = []string{}
	if lists.String != "" {
		r.Lists = strings.Split(lists.String, ",")
	}
	r.Attributes = map[string]any{}
	_ = json.Unmarshal([]byte(attrs), &r.Attributes)
	return &r, nil
}

// idsJSON encodes ids as a JSON array: the lists column, and the argument
// of the statements that take their ids through json_each(?).
func idsJSON(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	buf, _ := json.Marshal(ids)
	return string(buf)
}

// A WaitingRequest is what a confirmed reader's admin page says of a
// signup or an import for their address that waits for the click on its
// mailed link: the lists it would add, by name, when it was made, and
// where its mail stands (Mail). A signup held by the one mail every
// ConfirmInterval (holdRequest) is not mailed when it is made: the mail
// that names it goes later, or the link of the mail before applies it.
type WaitingRequest struct {
	Lists       []string
	RequestedAt time.Time
	// Mail is one of the Mail… constants.
	Mail string
	// SentAt is when the last mail went whose link adds the lists, and
	// Until when that link stops working (ConfirmLinkUntil); both zero
	// when no mail's link does.
	SentAt, Until time.Time
	// Next is, for MailDue, when the mail naming the lists goes
	// (ConfirmDueAt of the last mail, or now once that is past), and
	// for MailAtNextSignup, the earliest a signup for the address sends
	// one (confirmWait after the last mail), zero when one would now.
	Next time.Time
}

// Where a WaitingRequest's mail stands.
const (
	// MailSent: the last mail went, and its link adds the lists.
	MailSent = "sent"
	// MailOnItsWay: a mail naming the lists is flagged and goes at once.
	MailOnItsWay = "on its way"
	// MailDue: a signup within ConfirmInterval of the last mail added a
	// list no mail named; the mail naming it goes at Next, and the last
	// mail's link (SentAt), if it works, adds it meanwhile.
	MailDue = "due"
	// MailAtNextSignup: no mail names the lists and none is due (the last
	// mail carried no link, the already-subscribed mail, and the address
	// has mails it left unanswered, which lengthen the wait): the next
	// signup from Next sends one.
	MailAtNextSignup = "next signup"
)

// WaitingRequest returns confirmed subscriber id's request whose link
// still works or whose mail is yet to go, with the lists it names that
// they are not on, in list order; nil when there is none, or it adds no
// list (a signup again for lists they are on, answered by the
// already-subscribed mail).
func (s *Store) WaitingRequest(ctx context.Context, id int64) (*WaitingRequest, error) {
	var (
		at             time.Time
		sentAt, linkAt sql.NullTime
		queued         int
		unanswered     int
	)
	now := sqlite.Now()
	err := s.db.Read.QueryRowContext(ctx, `SELECT r.requested_at, s.confirm_sent_at, s.confirm_link_at, s.confirm_queued, s.confirm_unanswered
		FROM signup_requests r JOIN subscribers s ON s.id = r.subscriber_id
		WHERE r.subscriber_id = ? AND s.status = ? AND r.requested_at > ?`, id, StatusConfirmed, now.Add(-ConfirmTTL)).
		Scan(&at, &sentAt, &linkAt, &queued, &unanswered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("waiting signup request: %w", err)
	}
	names, err := sqlite.Column[string](s.db.Read.QueryContext(ctx, `SELECT l.name FROM signup_requests r, json_each(r.lists) j
		JOIN lists l ON l.id = j.value
		WHERE r.subscriber_id = ? AND NOT EXISTS (SELECT 1 FROM subscriptions x
			WHERE x.subscriber_id = r.subscriber_id AND x.list_id = l.id AND x.status = 'active')
		ORDER BY l.id`, id))
	if err != nil {
		return nil, fmt.Errorf("waiting signup request's lists: %w", err)
	}
	if len(names) == 0 {
		return nil, nil
	}
	w := &WaitingRequest{Lists: names, RequestedAt: at.UTC()}
	if queued != 0 {
		// Flagged, or claimed by a sender: the mail names the whole
		// request as it stands, and its link replaces the last one's.
		w.Mail = MailOnItsWay
		return w, nil
	}
	// The link of the last mail applies the request as it stands at the
	// click (Confirm) when that mail carried one: a confirmation, not the
	// already-subscribed mail.
	if sentAt.Valid && linkAt.Valid && linkAt.Time.Equal(sentAt.Time) {
		if until := ConfirmLinkUntil(sentAt.Time); now.Before(until) {
			w.SentAt, w.Until = sentAt.Time.UTC(), until
		}
	}
	switch {
	case sentAt.Valid && at.After(sentAt.Time):
		// holdRequest dated it after the last mail: a list no mail named,
		// whose mail goes once ConfirmInterval is over.
		w.Mail, w.Next = MailDue, ConfirmDueAt(sentAt.Time).UTC()
		if w.Next.Before(now) {
			w.Next = now.UTC()
		}
	case !w.SentAt.IsZero():
		w.Mail = MailSent
	case sentAt.Valid && linkAt.Valid && linkAt.Time.Equal(sentAt.Time):
		return nil, nil // the last mail's link has expired
	case sentAt.Valid:
		w.Mail = MailAtNextSignup
		if next := sentAt.Time.Add(confirmWait(unanswered)); now.Before(next) {
			w.Next = next.UTC() // else the next signup sends one at once
		}
	default:
		return nil, nil
	}
	return w, nil
}
