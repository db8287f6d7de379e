package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A reader of a daily list is in one of its two windows: the daily
// digests' or the weekly round-ups'. A change of frequency moves them to
// the other window with the list's next digest of the new frequency, so
// that the two meet and no article is lost or mailed twice.

// readersSQL selects the readers a digest may go to: confirmed
// subscribers with an active subscription to the list, whose address is
// not suppressed. A reach narrows them.
const readersSQL = `FROM subscribers s JOIN subscriptions x ON x.subscriber_id = s.id
	WHERE x.list_id = ? AND x.status = 'active' AND s.status = 'confirmed'
	AND NOT ` + events.SuppressedSQL

// A reach is the condition, ANDed to readersSQL, that picks a digest's
// readers, and its arguments.
type reach struct {
	cond string
	args []any
}

// with is the arguments of readersSQL and the reach for list listID.
func (r reach) with(listID int64) []any {
	return append([]any{listID}, r.args...)
}

// inWindow reaches the readers in the window of frequency: those whose
// frequency it is, but for the ones still in the other window since they
// changed it (subscriptions.stream), and those still in this one. An
// empty frequency reaches everybody. A reader's stream is read beside
// their subscription, in the same scan of the list's readers.
func inWindow(frequency string) reach {
	if frequency == "" {
		return reach{}
	}
	return reach{cond: ` AND COALESCE(x.stream, s.frequency) = ?`, args: []any{frequency}}
}

// stillIn reaches the readers still in the window of frequency though
// their own frequency is the other.
func stillIn(frequency string) reach {
	return reach{cond: ` AND x.stream = ?`, args: []any{frequency}}
}

// settleSwitches turns the changes of frequency noted since the last
// build (frequency_switches, by a trigger) into the readers' streams. A
// reader stays in the window they were in on each of their lists with
// two windows: their stream, or else the frequency they had before their
// first change since; the stream is kept only when that is not the
// frequency they have now. Only a build reads the streams, so notes that
// wait for one are as good as streams set at once. A list with one window
// (weekly or off, with no round-up mark kept) mails everybody alike, and
// if it becomes daily both windows start from its mark (startRollup), so
// a reader there is in the window of their frequency whenever it changed.
// A reader's notes are settled early, alone, when they join a list
// (subscribers' settleSwitchesOf), so the list they join is not in the
// old window.
func settleSwitches(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, subscribers.SettleSwitchesSQL+`)`)
	if err != nil {
		return fmt.Errorf("settle changes of frequency: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM frequency_switches`); err != nil {
		return fmt.Errorf("settle changes of frequency: %w", err)
	}
	return nil
}

// changeOver takes the readers of the daily list l who are still in the
// other window than cadence's, though their frequency is cadence, over to
// cadence's window, which has just moved to now. Their digest is the one
// their old window would send now, from its mark, with its holds, and
// leaves that window's mark and holds as they are for its other readers;
// so the old window's digests took them up to now, and the new one's go
// on from now: nothing lost, nothing twice. A reader who changed to weekly
// gets the daily digests until the next round-up, then, instead of it, a
// last daily one; a reader who changed to daily gets, with the next daily
// digest, a round-up of the days since the last one instead.
//
// It returns that digest, or nil when no reader changes over.
func (s *Service) changeOver(ctx context.Context, tx *sql.Tx, l *digestList, cadence string, now time.Time) (*Digest, error) {
	old := CadenceWeekly
	if cadence == CadenceWeekly {
		old = CadenceDaily
	}
	var some bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE list_id = ? AND stream = ?)`, l.id, old).Scan(&some); err != nil {
		return nil, fmt.Errorf("readers changing frequency: %w", err)
	}
	if !some {
		return nil, nil
	}
	_, table := l.audience(old)
	m, err := readMark(ctx, tx, table, l.id)
	if err != nil {
		return nil, err
	}
	d := &Digest{Kind: "digest", List: l.slug, Cadence: old, WindowStart: now.Add(-FirstWindow), WindowEnd: now}
	if m.ok {
		d.WindowStart = m.at.UTC()
	}
	items, _, _, err := readWindow(ctx, tx, l.id, table, m, d, now)
	if err != nil {
		return nil, err
	}
	if err := s.fillDigest(ctx, tx, l, d, items, stillIn(old)); err != nil {
		return nil, err
	}
	return d, endStreams(ctx, tx, l.id, old)
}

// endStreams puts the readers of the list still in the window of
// frequency, or in any window when frequency is "", in the window their
// frequency names.
func endStreams(ctx context.Context, tx *sql.Tx, listID int64, frequency string) error {
	_, err := tx.ExecContext(ctx, `UPDATE subscriptions SET stream = NULL WHERE list_id = ? AND stream IS NOT NULL AND (? = '' OR stream = ?)`,
		listID, frequency, frequency)
	if err != nil {
		return fmt.Errorf("end readers' old windows: %w", err)
	}
	return nil
}
