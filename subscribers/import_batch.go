package subscribers

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// existing is what a batch needs to know of a subscriber already stored.
type existing struct {
	id                        int64
	name, status, attrs, freq string
	lists                     map[int64]bool // the lists they are on or joining
	// left are the lists they unsubscribed from, which an import does
	// not sign them up to again: only the reader's own signup does. Each
	// maps to the day they left it (YYYY-MM-DD, UTC), for the report.
	left map[int64]string
	// asked are the lists of their signup request whose link still works:
	// lists a mail asks them to confirm already.
	asked []int64
}

// importBatch stores one batch in one transaction: a lookup of the
// addresses that exist, multi-row inserts for the new ones and their
// subscriptions, and row updates for the few that change.
func (s *Store) importBatch(ctx context.Context, imp *importer, batch []importRow) error {
	now := sqlite.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		imp.confirms = imp.confirms[:0]
		have, err := lookupExisting(ctx, tx, batch, now)
		if err != nil {
			return err
		}
		var fresh []importRow
		for _, row := range imp.repeatRows(batch, have) {
			if ex, ok := have[row.key]; ok {
				if err := imp.updateExisting(ctx, tx, row, ex, now); err != nil {
					return err
				}
				continue
			}
			fresh = append(fresh, row)
		}
		if err := imp.insertFresh(ctx, tx, fresh, now); err != nil {
			return err
		}
		return imp.dropSuppressed(ctx, tx)
	})
}

// lookupExisting returns the stored subscribers among batch, by email key.
func lookupExisting(ctx context.Context, tx *sql.Tx, batch []importRow, now time.Time) (map[string]*existing, error) {
	out := map[string]*existing{}
	for start := 0; start < len(batch); start += 500 {
		chunk := batch[start:min(start+500, len(batch))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, now.Add(-ConfirmTTL)) // a request made since has a link that works
		for _, row := range chunk {
			args = append(args, row.key)
		}
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.email_key, s.name, s.status, s.attributes, s.frequency,
			(SELECT group_concat(list_id, ',') FROM subscriptions WHERE subscriber_id = s.id AND status != 'unsubscribed'),
			(SELECT group_concat(list_id || ' ' || substr(updated_at, 1, 10), ',') FROM subscriptions
				WHERE subscriber_id = s.id AND status = 'unsubscribed'),
			(SELECT lists FROM signup_requests WHERE subscriber_id = s.id AND requested_at > ?)
			FROM subscribers s WHERE s.email_key IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("look up subscribers: %w", err)
		}
		for rows.Next() {
			ex := existing{lists: map[int64]bool{}, left: map[int64]string{}}
			var key string
			var lists, left, asked sql.NullString
			if err := rows.Scan(&ex.id, &key, &ex.name, &ex.status, &ex.attrs, &ex.freq, &lists, &left, &asked); err != nil {
				rows.Close()
				return nil, err
			}
			idSet(ex.lists, lists.String)
			leftSet(ex.left, left.String)
			if asked.Valid {
				_ = json.Unmarshal([]byte(asked.String), &ex.asked) // a request's lists are idsJSON's
			}
			out[key] = &ex
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// idSet adds the ids of a group_concat to set.
func idSet(set map[int64]bool, ids string) {
	for _, id := range strings.Split(ids, ",") {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			set[n] = true
		}
	}
}

// leftSet adds the lists of a group_concat of "id day" to left, each with
// the day.
func leftSet(left map[int64]string, pairs string) {
	for _, p := range strings.Split(pairs, ",") {
		id, day, _ := strings.Cut(p, " ")
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			left[n] = day
		}
	}
}

// updateExisting fills in a name (replaces one only with
// ImportOptions.OverwriteNames: a reader's stored name is kept, and the
// report notes the file's) and attributes, confirms a pending
// subscriber when the import vouches for consent, and joins the row's
// lists (joinOrAsk); it never revives someone who unsubscribed or
// bounced, nor puts them back on a list they left, nor unsubscribes
// anyone. A row that says unsubscribed or bounced updates the reader all
// the same, their status left as it is, and the report notes it. Nor does
// it change their digest frequency, which is theirs to choose on their
// preferences page: a file's other frequency is noted as not applied.
func (imp *importer) updateExisting(ctx context.Context, tx *sql.Tx, row importRow, ex *existing, now time.Time) error {
	if ex.status == StatusUnsubscribed || ex.status == StatusBounced {
		imp.skipStored(row.line, row.email, "the subscriber is "+ex.status+" and is not signed up again by an import")
		return nil
	}
	// What the file's status and frequency ask that is not done, for the
	// report.
	var kept string
	if row.status == StatusUnsubscribed || row.status == StatusBounced {
		kept = "status not changed: the file says " + row.status + ", but an import leaves a stored reader's status as it is (still " + ex.status + "); change it on their page"
	}
	// The row is confirmed only when the import vouches for consent
	// (parseStatus): the reader is then confirmed, on their lists at once.
	vouched := row.status == StatusConfirmed
	status := ex.status
	if vouched {
		status = StatusConfirmed
	}
	join, left, waiting := ex.sortLists(row.lists, vouched)
	// The lists of a line that says unsubscribed or bounced are lists the
	// reader left, as for a new reader (subStatus): they join none.
	if kept != "" && len(join) > 0 {
		kept += "; not added to " + imp.listNames(join) + ", which the line says they left"
		join = nil
	}
	if row.freqGiven && row.freq != ex.freq {
		kept = joinNotes(kept, "frequency not changed: the file says "+row.freq+", but an import leaves a stored reader's frequency as they chose it ("+ex.freq+"); change it on their page")
	}
	rename := row.name != "" && row.name != ex.name
	if rename && imp.keepsName(ex) {
		rename = false
		kept = joinNotes(kept, imp.nameKept(row.name, ex.name))
	}
	reattr := row.attrs != "" && row.attrs != ex.attrs
	if !rename && !reattr && status == ex.status && len(join) == 0 {
		imp.skipStored(row.line, row.email, imp.unchanged(kept, left, waiting, ex))
		return nil
	}
	name, attrs := ex.name, ex.attrs
	if rename {
		name = row.name
	}
	if reattr {
		attrs = row.attrs
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET name = ?, status = ?, attributes = ?, updated_at = ?,
		confirmed_at = CASE WHEN ? = 'confirmed' THEN COALESCE(confirmed_at, ?) ELSE confirmed_at END WHERE id = ?`,
		name, status, attrs, now, status, now, ex.id); err != nil {
		return fmt.Errorf("update subscriber: %w", err)
	}
	if vouched {
		if err := activatePending(ctx, tx, ex.id, now); err != nil {
			return err
		}
	}
	if err := imp.joinOrAsk(ctx, tx, ex, join, vouched, now); err != nil {
		return err
	}
	if err := hooks.EmitSubscriber(ctx, tx, hooks.StatusEvent(ex.status, status), ex.id); err != nil {
		return err
	}
	// The row is stored, yet not all of it: the operator, who may take
	// the reader to be on every list of the file now, or unsubscribed, is
	// told what not, in one note a line.
	var notes []string
	if kept != "" {
		notes = append(notes, kept)
	}
	if len(left) > 0 {
		notes = append(notes, "left "+imp.leftList(left, ex)+"; not rejoined (they unsubscribed)")
	}
	if len(notes) > 0 {
		imp.note(row.line, row.email, strings.Join(notes, "; "))
	}
	imp.rep.Updated++
	return nil
}

// keepsName reports whether the import leaves stored reader ex's name as
// it is whatever the file's: they have one, perhaps typed at signup or
// on their preferences page, and the import does not overwrite names.
func (imp *importer) keepsName(ex *existing) bool {
	return !imp.opt.OverwriteNames && strings.TrimSpace(ex.name) != ""
}

// nameKept is the report's note on a stored name kept (keepsName): the
// file's name, the stored one, and how to replace it (KeptNameHint).
func (imp *importer) nameKept(file, stored string) string {
	note := "name not changed: the file says “" + truncate(file, 60) + "”, the reader's stored name “" + truncate(stored, 60) + "” is kept"
	if imp.opt.KeptNameHint != "" {
		note += "; " + imp.opt.KeptNameHint
	}
	return note
}

// joinNotes joins two notes of a report line, either of which may be "".
func joinNotes(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}

// listNames names the lists ids for the report: "“News”", "“News” and
// “Sport”".
func (imp *importer) listNames(ids []int64) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = "“" + imp.names[id] + "”"
	}
	return prose.And(names)
}

// leftList names the lists ex left, with the day each was left, as the
// admin shows them, for the report: "“News” on 3 November 2026", "“News”
// on 3 November 2026 and “Sport” on 1 December 2026".
func (imp *importer) leftList(ids []int64, ex *existing) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = "“" + imp.names[id] + "”"
		if day, err := time.Parse(time.DateOnly, ex.left[id]); err == nil {
			names[i] += " on " + day.Format("2 January 2006")
		}
	}
	return prose.And(names)
}

// freshValues are the subscribers columns of a new row, in the order of
// insertFresh's statement. Only a pending reader is mailed a
// confirmation (insertFresh queues it), so only their row gets
// confirm_sent_at: a date on a confirmed or unsubscribed reader's row
// would tell their next signup that a mail had just gone, and hold their
// confirmation or already-subscribed mail back for ConfirmInterval.
func freshValues(row importRow, now time.Time) []any {
	created := now
	if row.createdAt != nil {
		created = *row.createdAt
	}
	var confirmed, unsub any
	if row.confirmed != nil && row.status != StatusPending {
		confirmed = *row.confirmed
	}
	switch row.status {
	case StatusConfirmed:
		if confirmed == nil {
			confirmed = now
		}
	case StatusUnsubscribed:
		unsub = now
	}
	var sent any
	queued := 0
	if row.status == StatusPending {
		sent, queued = now, 1
	}
	attrs := row.attrs
	if attrs == "" {
		attrs = "{}"
	}
	return []any{row.email, row.key, row.name, row.status, attrs, row.freq, sent, queued, created, now, confirmed, unsub}
}

// subStatus is the status of a new subscriber's subscriptions.
func subStatus(status string) string {
	switch status {
	case StatusConfirmed:
		return SubActive
	case StatusUnsubscribed:
		return SubUnsubscribed
	}
	return SubPending
}

// insertFresh adds new subscribers and their subscriptions, a hundred
// rows a statement.
func (imp *importer) insertFresh(ctx context.Context, tx *sql.Tx, fresh []importRow, now time.Time) error {
	for start := 0; start < len(fresh); start += 100 {
		chunk := fresh[start:min(start+100, len(fresh))]
		args := make([]any, 0, len(chunk)*12)
		for _, row := range chunk {
			args = append(args, freshValues(row, now)...)
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO subscribers (email, email_key, name, status, attributes, frequency,
			confirm_sent_at, confirm_queued, created_at, updated_at, confirmed_at, unsubscribed_at)
			VALUES `+tuples(len(chunk), 12)+` RETURNING id, email_key`, args...)
		if err != nil {
			return fmt.Errorf("insert subscribers: %w", err)
		}
		byKey := make(map[string]*importRow, len(chunk))
		for i := range chunk {
			byKey[chunk[i].key] = &chunk[i]
		}
		var subs []any
		var ids []int64
		for rows.Next() {
			var id int64
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			row := byKey[key] // RETURNING comes in no set order
			for _, list := range row.lists {
				subs = append(subs, id, list, subStatus(row.status), now, now)
			}
			if row.status == StatusPending {
				imp.confirms = append(imp.confirms, queue.ConfirmItem{ID: id, SentAt: now.UnixMicro()})
				imp.rep.Pending++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("insert subscribers: %w", err)
		}
		for len(subs) > 0 {
			part := subs[:min(500, len(subs))]
			subs = subs[len(part):]
			if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
				VALUES `+tuples(len(part)/5, 5), part...); err != nil {
				return fmt.Errorf("insert subscriptions: %w", err)
			}
		}
		for _, id := range ids {
			if err := hooks.EmitSubscriber(ctx, tx, hooks.SubscriberCreated, id); err != nil {
				return err
			}
		}
	}
	imp.rep.Added += len(fresh)
	return nil
}

// placeholders returns "?, ?, …" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// tuples returns "(?, …), (?, …)" for n rows of width arguments.
func tuples(n, width int) string {
	one := "(" + placeholders(width) + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}
