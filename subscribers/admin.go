package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A NewSubscriber is what an admin adds: any lists, up to MaxLists as a
// signup, and any status, confirmed included (the admin vouches for the
// consent). Nothing is mailed.
type NewSubscriber struct {
	Email      string         `json:"email"`
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Frequency  string         `json:"frequency"`
	Lists      []string       `json:"lists"`
	Attributes map[string]any `json:"attributes"`
}

// Create adds a subscriber. A taken address is a conflict, and so is an
// erased one: erasure is not undone by an admin's typing.
func (s *Store) Create(ctx context.Context, n *NewSubscriber) (*Subscriber, error) {
	in, err := n.checked()
	if err != nil {
		return nil, err
	}
	ids, err := s.resolveLists(ctx, in.Lists, false)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// A subscriber with the address is the conflict to name, though
		// it was erased once: its owner has signed up again since.
		if id, err = insertSubscriber(ctx, tx, in, n.Status, n.Frequency, ids); err != nil {
			return err
		}
		if err := s.refuseErased(ctx, tx, in.Email); err != nil {
			return err
		}
		return hooks.EmitSubscriber(ctx, tx, hooks.SubscriberCreated, id)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// Check returns the validation error Create would return for n's own
// fields, storing nothing and reading no list (an unknown one is
// Create's to name): a caller that refuses n for a rule of its own, as
// the API refuses a reader to be mailed on no list, names the other
// faults in the same round. It fills in the defaults as Create does.
func (n *NewSubscriber) Check() error {
	_, err := n.checked()
	return err
}

// checked fills in n's defaults and returns it as a Signup, normalised,
// or the validation error naming every field at fault.
func (n *NewSubscriber) checked() (*Signup, error) {
	if n.Status == "" {
		n.Status = StatusPending
	}
	if n.Frequency == "" {
		n.Frequency = "daily"
	}
	in := &Signup{Email: n.Email, Name: n.Name, Lists: n.Lists, Attributes: n.Attributes}
	fields := bulletin.ErrorFields(in.Normalize())
	if fields == nil {
		fields = map[string]string{}
	}
	if len(in.Lists) <= MaxLists {
		// An admin may add someone to no list; more than MaxLists is
		// refused as a signup refuses it, in its words.
		delete(fields, "lists")
	}
	// An unsubscribed reader is on no list: insertSubscriber joins one to
	// its lists unsubscribed, so lists given with that status would be
	// dropped without a word, where Update refuses them.
	if n.Status == StatusUnsubscribed && len(in.Lists) > 0 {
		fields["lists"] = `an unsubscribed reader is on no list: to put them on lists, set "status" to "confirmed" or "pending", or leave "lists" out`
	}
	if !validStatus(n.Status) {
		fields["status"] = "use pending, confirmed, unsubscribed or bounced"
	}
	if n.Frequency != "daily" && n.Frequency != "weekly" {
		fields["frequency"] = "use daily or weekly"
	}
	if len(fields) > 0 {
		return nil, bulletin.Invalid(fields)
	}
	return in, nil
}

func insertSubscriber(ctx context.Context, tx *sql.Tx, in *Signup, status, freq string, listIDs []int64) (int64, error) {
	now := sqlite.Now()
	var confirmed, unsub any
	subStatus := SubPending
	switch status {
	case StatusConfirmed:
		confirmed, subStatus = now, SubActive
	case StatusUnsubscribed:
		unsub, subStatus = now, SubUnsubscribed
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, name, status, attributes, frequency,
		created_at, updated_at, confirmed_at, unsubscribed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (email_key) DO NOTHING`,
		in.Email, EmailKey(in.Email), in.Name, status, attributesJSON(in.Attributes), freq, now, now, confirmed, unsub)
	if err != nil {
		return 0, fmt.Errorf("create subscriber: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, bulletin.Errorf(bulletin.ECONFLICT, "A subscriber with this address exists already.")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, joinLists(ctx, tx, id, listIDs, subStatus, now)
}

// refuseErased refuses email, an admin's new subscriber's or another's
// new address, when it was erased: erasure is not undone by an admin's
// typing.
func (s *Store) refuseErased(ctx context.Context, tx *sql.Tx, email string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM erasures WHERE email_hash = ?`, s.EmailHash(email)).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return bulletin.Errorf(bulletin.ECONFLICT, "This address was erased at its owner's request; only they can sign up again.")
}

// A Patch changes some fields of a subscriber; nil leaves a field alone.
// Lists, when given, is the whole set of lists to be on, at most MaxLists.
type Patch struct {
	Email      *string         `json:"email"`
	Name       *string         `json:"name"`
	Status     *string         `json:"status"`
	Frequency  *string         `json:"frequency"`
	Lists      *[]string       `json:"lists"`
	Attributes *map[string]any `json:"attributes"`
}

// Update applies p to subscriber id, and tells the GoneRecorder when it
// leaves them unable to get mail, or off every list of a campaign still
// going out to them.
func (s *Store) Update(ctx context.Context, id int64, p *Patch) (*Subscriber, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	in, status, freq, err := patched(cur, p)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if p.Lists != nil {
		if ids, err = s.resolveLists(ctx, in.Lists, false); err != nil {
			return nil, err
		}
	}
	var d departure
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		changed, err := updateSubscriber(ctx, tx, cur, in, status, freq, ids, p.Lists != nil)
		if err != nil {
			return err
		}
		if EmailKey(in.Email) != EmailKey(cur.Email) {
			if err := s.refuseErased(ctx, tx, in.Email); err != nil {
				return err
			}
		}
		if changed {
			if err := hooks.EmitSubscriber(ctx, tx, hooks.StatusEvent(cur.Status, status), id); err != nil {
				return err
			}
		}
		d, err = departureTx(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.recordDeparture(ctx, id, d)
	return s.Get(ctx, id)
}

// CheckPatch returns the validation error Update would return for p on
// subscriber id, changing nothing: a form refused for a rule of its own
// names the other faults in the same round. The conflicts of the
// address, with another reader or an erasure, are Update's alone.
func (s *Store) CheckPatch(ctx context.Context, id int64, p *Patch) error {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	_, _, _, err = patched(cur, p)
	return err
}

// patched returns cur with p applied, normalised and checked.
func patched(cur *Subscriber, p *Patch) (*Signup, string, string, error) {
	in := &Signup{Email: cur.Email, Name: cur.Name, Lists: cur.Lists, Attributes: cur.Attributes}
	status, freq := cur.Status, cur.Frequency
	if p.Email != nil {
		in.Email = *p.Email
	}
	if p.Name != nil {
		in.Name = *p.Name
	}
	if p.Lists != nil {
		in.Lists = *p.Lists
	}
	if p.Attributes != nil {
		in.Attributes = *p.Attributes
	}
	if p.Status != nil {
		status = *p.Status
	}
	if p.Frequency != nil {
		freq = *p.Frequency
	}
	fields := bulletin.ErrorFields(in.Normalize())
	if fields == nil {
		fields = map[string]string{}
	}
	if p.Lists == nil || len(in.Lists) <= MaxLists {
		// No list is an admin's right; more than MaxLists, given in p, is
		// refused as a signup refuses it. A reader whose signups over time
		// joined more keeps them through a change that names no lists.
		delete(fields, "lists")
	}
	// An unsubscribed reader is on no list: updateSubscriber ends every
	// subscription of one, so lists given with that status would be
	// dropped without a word.
	if status == StatusUnsubscribed && p.Lists != nil && len(in.Lists) > 0 {
		fields["lists"] = `an unsubscribed reader is on no list: to put them on lists, set "status" to "confirmed" or "pending" in this request or an earlier one`
	}
	if !validStatus(status) {
		fields["status"] = "use pending, confirmed, unsubscribed or bounced"
	}
	if freq != "daily" && freq != "weekly" {
		fields["frequency"] = "use daily or weekly"
	}
	if len(fields) > 0 {
		return nil, "", "", bulletin.Invalid(fields)
	}
	return in, status, freq, nil
}

// updateSubscriber writes in, status, freq and, when setLists, the lists
// listIDs over subscriber cur, and reports whether anything changed: a
// patch that names only what is so already leaves even updated_at alone,
// and Update then emits no event to the webhooks.
func updateSubscriber(ctx context.Context, tx *sql.Tx, cur *Subscriber, in *Signup, status, freq string, listIDs []int64, setLists bool) (bool, error) {
	now := sqlite.Now()
	same := in.Email == cur.Email && in.Name == cur.Name && status == cur.Status && freq == cur.Frequency &&
		attributesJSON(in.Attributes) == attributesJSON(cur.Attributes)
	if !same {
		if err := writeSubscriber(ctx, tx, cur, in, status, freq, now); err != nil {
			return false, err
		}
	}
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, err
	}
	if err := updateSubscriptions(ctx, tx, cur, status, listIDs, setLists, now); err != nil {
		return false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, err
	}
	if same && after > before {
		_, err := tx.ExecContext(ctx, `UPDATE subscribers SET updated_at = ? WHERE id = ?`, now, cur.ID)
		return err == nil, err
	}
	return !same || after > before, nil
}

// writeSubscriber writes the subscriber's own columns.
func writeSubscriber(ctx context.Context, tx *sql.Tx, cur *Subscriber, in *Signup, status, freq string, now time.Time) error {
	key := EmailKey(in.Email)
	// A new address voids the confirmation link mailed to the old one
	// (ConfirmLink takes only the link of the latest confirm_sent_at).
	res, err := tx.ExecContext(ctx, `UPDATE subscribers SET email = ?, email_key = ?, name = ?, status = ?, frequency = ?,
		attributes = ?, updated_at = ?,
		email_changed_at = CASE WHEN email_key != ? THEN ? ELSE email_changed_at END,
		confirm_sent_at = CASE WHEN email_key != ? AND confirm_sent_at IS NOT NULL THEN ? ELSE confirm_sent_at END,
		confirmed_at = CASE WHEN ? = 'confirmed' THEN COALESCE(confirmed_at, ?) ELSE confirmed_at END,
		unsubscribed_at = CASE WHEN ? = 'unsubscribed' THEN COALESCE(unsubscribed_at, ?) ELSE NULL END
		WHERE id = ? AND NOT EXISTS (SELECT 1 FROM subscribers o WHERE o.email_key = ? AND o.id != ?)`,
		in.Email, key, in.Name, status, freq, attributesJSON(in.Attributes), now,
		key, now, key, now, status, now, status, now, cur.ID, key, cur.ID)
	if err != nil {
		return fmt.Errorf("update subscriber: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return bulletin.Errorf(bulletin.ECONFLICT, "Another subscriber has this address.")
	}
	return nil
}

// updateSubscriptions brings cur's subscriptions in line with status and,
// when setLists, with the lists listIDs.
func updateSubscriptions(ctx context.Context, tx *sql.Tx, cur *Subscriber, status string, listIDs []int64, setLists bool, now time.Time) error {
	subStatus := SubPending
	switch status {
	case StatusConfirmed:
		subStatus = SubActive
	case StatusUnsubscribed:
		_, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?
			WHERE subscriber_id = ? AND status != 'unsubscribed'`, now, cur.ID)
		return err
	}
	if status == StatusConfirmed {
		if err := activatePending(ctx, tx, cur.ID, now); err != nil {
			return err
		}
	}
	if !setLists {
		return nil
	}
	keep := make([]string, 0, len(listIDs))
	args := []any{now, cur.ID}
	for _, id := range listIDs {
		keep = append(keep, "?")
		args = append(args, id)
	}
	q := `UPDATE subscriptions SET status = 'unsubscribed', updated_at = ? WHERE subscriber_id = ? AND status != 'unsubscribed'`
	if len(keep) > 0 {
		q += ` AND list_id NOT IN (` + strings.Join(keep, ",") + `)`
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("update subscriptions: %w", err)
	}
	return addSubscriptions(ctx, tx, cur.ID, listIDs, subStatus, now)
}
