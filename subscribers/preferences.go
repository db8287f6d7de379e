package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Unsubscribe ends every subscription of subscriber id at once, drops any
// confirmation still to be sent and any signup request, then tells the
// GoneRecorder. Doing it twice is fine.
func (s *Store) Unsubscribe(ctx context.Context, id int64) error {
	if err := s.unsubscribe(ctx, id); err != nil {
		return err
	}
	s.recordGone(ctx, id)
	return nil
}

// unsubscribe is Unsubscribe's transaction.
func (s *Store) unsubscribe(ctx context.Context, id int64) error {
	now := sqlite.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var was string
		err := tx.QueryRowContext(ctx, `SELECT status FROM subscribers WHERE id = ?`, id).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSubscriber
		} else if err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET
			status = CASE WHEN status = 'bounced' THEN status ELSE 'unsubscribed' END,
			unsubscribed_at = COALESCE(unsubscribed_at, ?), confirm_queued = 0, updated_at = ? WHERE id = ?`, now, now, id); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		// A signup waiting for its click ends too: leaving stops everything.
		if _, err := tx.ExecContext(ctx, `DELETE FROM signup_requests WHERE subscriber_id = ?`, id); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?
			WHERE subscriber_id = ? AND status != 'unsubscribed'`, now, id)
		if err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		// A reader who left a list, or whose status changed (one who
		// had unticked every list still counted as confirmed), is
		// reported; a second click changes nothing and says nothing.
		left, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		if left == 0 && (was == StatusUnsubscribed || was == StatusBounced) {
			return nil
		}
		// subscriber.unsubscribed says the status became unsubscribed: a
		// bounced reader, who stays bounced, has only left their lists,
		// which is subscriber.updated.
		return hooks.EmitSubscriber(ctx, tx, hooks.StatusEvent(was, leftStatus(was)), id)
	})
}

// leftStatus is the status of a reader who had status was once they have
// left everything: unsubscribed, but a bounced reader stays bounced (the
// address is still dead), as the SQL of unsubscribe has it.
func leftStatus(was string) string {
	if was == StatusBounced {
		return StatusBounced
	}
	return StatusUnsubscribed
}

// Preferences are what a reader may change from the link in a mail.
type Preferences struct {
	Name      string
	Frequency string
	Lists     []string // slugs of public lists to be on; the rest are left
	// Shown, when not nil, are the slugs of the lists the page offered:
	// only those are left when unticked, so a list an editor put the
	// reader on after the page was read stays, and with it the reader.
	Shown []string
}

// ListChoice is a list as the preferences page offers it. FrequencyNote
// says when a change of digest frequency the reader made takes effect on
// the list, while it has not yet; see frequencyNote.
type ListChoice struct {
	*List
	Checked       bool
	FrequencyNote string
	// Waiting is whether the list, not Checked, waits for the reader's
	// click on the link of a confirmation mail: a signup of theirs asked
	// for it, and the link still works (askedLists). Unticked, it looked
	// like any list they never asked for.
	Waiting bool
}

// JoinsAtOnce reports whether a list sub ticks on their preferences page
// is joined at once by SetPreferences, rather than when they confirm
// their address: so for a reader who has confirmed it, even one who
// unsubscribed since (applyPreferences).
func (sub *Subscriber) JoinsAtOnce() bool {
	return sub.Status == StatusConfirmed || (sub.Status == StatusUnsubscribed && sub.ConfirmedAt != nil)
}

// PreferencesOf returns subscriber id and the lists it may choose from:
// every public list, and any private one it is on or a mail asks it to
// confirm (an import may ask for a private list: the mail names it, and
// the page that left it out looked as if nothing waited).
func (s *Store) PreferencesOf(ctx context.Context, id int64) (*Subscriber, []ListChoice, error) {
	sub, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if sub.Status == StatusUnsubscribed {
		sub.Lists = nil
	}
	on := map[string]bool{}
	for _, slug := range sub.Lists {
		on[slug] = true
	}
	all, err := s.Lists(ctx)
	if err != nil {
		return nil, nil, err
	}
	still, err := s.stillIn(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	asked, err := s.askedLists(ctx, sub)
	if err != nil {
		return nil, nil, err
	}
	var out []ListChoice
	for _, l := range all {
		if l.Public || on[l.Slug] || asked[l.ID] {
			out = append(out, ListChoice{List: l, Checked: on[l.Slug], FrequencyNote: frequencyNote(l, still[l.ID]),
				Waiting: asked[l.ID] && !on[l.Slug]})
		}
	}
	return sub, out, nil
}

// askedLists returns, by id, the lists reader sub's signup request asks
// for while the link mailed for it works (ConfirmTTL, as WaitingRequest
// has it): the click on it adds them (Confirm). None for a bounced
// reader, whose link adds nothing.
func (s *Store) askedLists(ctx context.Context, sub *Subscriber) (map[int64]bool, error) {
	if sub.Status == StatusBounced {
		return nil, nil
	}
	ids, err := sqlite.Column[int64](s.db.Read.QueryContext(ctx, `SELECT l.id FROM signup_requests r, json_each(r.lists) j
		JOIN lists l ON l.id = j.value WHERE r.subscriber_id = ? AND r.requested_at > ?`, sub.ID, sqlite.Now().Add(-ConfirmTTL)))
	if err != nil {
		return nil, fmt.Errorf("lists asked for: %w", err)
	}
	asked := make(map[int64]bool, len(ids))
	for _, id := range ids {
		asked[id] = true
	}
	return asked, nil
}

// stillIn returns, by list, the digest window (daily or weekly) reader id
// is still in on the lists they are active on where it is not the one
// their frequency names: a change of frequency takes effect on a daily
// list with its next digest of the new frequency (campaigns' changeOver).
// The window is the reader's stream or, before the next digest build
// settles the changes noted since the last (frequency_switches), the
// frequency they had before the first of them.
func (s *Store) stillIn(ctx context.Context, id int64) (map[int64]string, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT x.list_id, NULLIF(COALESCE(x.stream,
			(SELECT w.frequency FROM frequency_switches w WHERE w.subscriber_id = x.subscriber_id ORDER BY w.id LIMIT 1)), s.frequency)
		FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id WHERE x.subscriber_id = ? AND x.status = 'active'`, id)
	if err != nil {
		return nil, fmt.Errorf("digest windows: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var list int64
		var window sql.NullString
		if err := rows.Scan(&list, &window); err != nil {
			return nil, fmt.Errorf("digest windows: %w", err)
		}
		if window.Valid {
			out[list] = window.String
		}
	}
	return out, rows.Err()
}

// FrequencyNotes returns what subscriber id's preferences page says of
// when their latest change of digest frequency takes effect, one note a
// list where it has not yet; none when it has everywhere.
func (s *Store) FrequencyNotes(ctx context.Context, id int64) ([]string, error) {
	pending, err := s.pendingSwitches(ctx, id)
	var out []string
	for _, p := range pending {
		out = append(out, p.note)
	}
	return out, err
}

// A pendingSwitch is a list where a reader's change of digest frequency
// has not taken effect yet: the window they are still in (stillIn), and
// what their preferences page says of it (frequencyNote).
type pendingSwitch struct {
	list        *List
	still, note string
}

// pendingSwitches returns the lists, in the order of Lists, where
// subscriber id's latest change of digest frequency has not taken effect
// yet.
func (s *Store) pendingSwitches(ctx context.Context, id int64) ([]pendingSwitch, error) {
	still, err := s.stillIn(ctx, id)
	if err != nil || len(still) == 0 {
		return nil, err
	}
	all, err := s.Lists(ctx)
	if err != nil {
		return nil, err
	}
	var out []pendingSwitch
	for _, l := range all {
		if note := frequencyNote(l, still[l.ID]); note != "" {
			out = append(out, pendingSwitch{list: l, still: still[l.ID], note: note})
		}
	}
	return out, nil
}

// frequencyNote tells a reader still in the window of the frequency they
// left on the daily list l when they move to the new one. Other lists
// send one digest to all, whatever the frequency.
func frequencyNote(l *List, still string) string {
	if l.Digest != "daily" {
		return ""
	}
	switch still {
	case "daily":
		day := "Monday" // the column's default
		if l.DigestWeekday != "" {
			day = strings.ToUpper(l.DigestWeekday[:1]) + l.DigestWeekday[1:]
		}
		return fmt.Sprintf("%s: daily digests until its next weekly round-up (%ss), then weekly ones.", l.Name, day)
	case "weekly":
		return fmt.Sprintf("%s: daily from its next digest, which brings the stories you have not had yet.", l.Name)
	}
	return ""
}

// SetPreferences applies p to subscriber id. A chosen list is joined
// (active once confirmed, pending before); an unchosen one is left. A
// reader who had confirmed, then unsubscribed, and now picks lists again
// is confirmed again: the link proves the mailbox. One left with no list
// is told to the GoneRecorder, as is one who left every list of a
// campaign still going out to them.
func (s *Store) SetPreferences(ctx context.Context, id int64, p Preferences) error {
	fields := map[string]string{}
	var msg string
	if p.Name, msg = NormalizeName(p.Name); msg != "" {
		fields["name"] = msg
	}
	if p.Frequency != "daily" && p.Frequency != "weekly" {
		fields["frequency"] = "choose daily or weekly"
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	sub, choices, err := s.PreferencesOf(ctx, id)
	if err != nil {
		return err
	}
	allowed := map[string]int64{}
	for _, c := range choices {
		allowed[SlugKey(c.Slug)] = c.ID
	}
	if p.Shown != nil {
		shown := map[string]bool{}
		for _, slug := range p.Shown {
			shown[SlugKey(slug)] = true
		}
		for _, slug := range uniqueSlugs(p.Lists) { // a list ticked must be one shown
			shown[SlugKey(slug)] = true
		}
		maps.DeleteFunc(allowed, func(k string, _ int64) bool { return !shown[k] })
	}
	want := map[int64]bool{}
	for _, slug := range uniqueSlugs(p.Lists) {
		lid, ok := allowed[SlugKey(slug)] // in any case, as signups
		if !ok {
			return bulletin.Invalid(map[string]string{"lists": "choose among the lists shown"})
		}
		want[lid] = true
	}
	var d departure
	var welcomes []queue.WelcomePayload
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The status is read again in the transaction: a bounce or an
		// unsubscribe committed since the page's read must not be
		// written over with what was read then.
		err := tx.QueryRowContext(ctx, `SELECT status, confirmed_at FROM subscribers WHERE id = ?`, sub.ID).Scan(&sub.Status, &sub.ConfirmedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSubscriber
		} else if err != nil {
			return fmt.Errorf("set preferences: %w", err)
		}
		before, err := activeLists(ctx, tx, sub.ID)
		if err != nil {
			return err
		}
		if err := applyPreferences(ctx, tx, sub, p, allowed, want); err != nil {
			return err
		}
		// A list the reader joins here is one they chose themselves, as
		// with a confirmation link: its welcome mail goes out, once.
		if welcomes, err = welcomeTx(ctx, tx, sub.ID, before, sqlite.Now()); err != nil {
			return err
		}
		d, err = departureTx(ctx, tx, sub.ID)
		return err
	})
	if err != nil {
		return err
	}
	s.queueWelcomes(ctx, welcomes)
	s.recordDeparture(ctx, sub.ID, d)
	return nil
}

func applyPreferences(ctx context.Context, tx *sql.Tx, sub *Subscriber, p Preferences, allowed map[string]int64, want map[int64]bool) error {
	now := sqlite.Now()
	status := sub.Status
	if status == StatusUnsubscribed && len(want) > 0 {
		status = StatusPending
		if sub.ConfirmedAt != nil {
			status = StatusConfirmed
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET name = ?, frequency = ?, status = ?,
		unsubscribed_at = CASE WHEN ? = 'unsubscribed' THEN unsubscribed_at ELSE NULL END, updated_at = ? WHERE id = ?`,
		p.Name, p.Frequency, status, status, now, sub.ID); err != nil {
		return fmt.Errorf("set preferences: %w", err)
	}
	subStatus := SubPending
	if status == StatusConfirmed {
		subStatus = SubActive
	}
	for _, lid := range allowed {
		if want[lid] {
			if err := addSubscriptions(ctx, tx, sub.ID, []int64{lid}, subStatus, now); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?
			WHERE subscriber_id = ? AND list_id = ? AND status != 'unsubscribed'`, now, sub.ID, lid); err != nil {
			return fmt.Errorf("set preferences: %w", err)
		}
	}
	if len(want) == 0 && (status == StatusConfirmed || status == StatusPending) {
		// Unticking every list is leaving everything, as the link
		// "unsubscribe from everything" is: the reader is counted as
		// unsubscribed, not as confirmed on nothing, and ticking a list
		// again brings them back as above. The page offers every list
		// they are on, private ones too; one an admin added since it
		// was read keeps them as they are.
		left, err := leaveIfNoList(ctx, tx, sub.ID, now)
		if err != nil {
			return err
		}
		if left {
			status = StatusUnsubscribed
		}
	}
	return hooks.EmitSubscriber(ctx, tx, hooks.StatusEvent(sub.Status, status), sub.ID)
}

// leaveIfNoList makes reader id unsubscribed, as Unsubscribe does, when
// they are on no list, and reports whether it did.
func leaveIfNoList(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (bool, error) {
	var on bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions
		WHERE subscriber_id = ? AND status != 'unsubscribed')`, id).Scan(&on); err != nil {
		return false, fmt.Errorf("set preferences: %w", err)
	}
	if on {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'unsubscribed',
		unsubscribed_at = COALESCE(unsubscribed_at, ?), confirm_queued = 0, updated_at = ? WHERE id = ?`, now, now, id); err != nil {
		return false, fmt.Errorf("set preferences: %w", err)
	}
	// A signup waiting for its click ends too, as with Unsubscribe.
	if _, err := tx.ExecContext(ctx, `DELETE FROM signup_requests WHERE subscriber_id = ?`, id); err != nil {
		return false, fmt.Errorf("set preferences: %w", err)
	}
	return true, nil
}

// Exists reports whether subscriber id exists (a token may outlive it).
func (s *Store) Exists(ctx context.Context, id int64) (bool, error) {
	var one int
	err := s.db.Read.QueryRowContext(ctx, `SELECT 1 FROM subscribers WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
