package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// recipientsOfListSQL pages through the recipients of a campaign to one
// list by subscriber id: confirmed subscribers with an active
// subscription to it whose address is not suppressed. Its arguments are
// the id to start after, the campaign's id and the page size. It walks
// that list's members in subscriber order (the subscriptions_list index),
// so a page costs its own rows however few of the readers the list holds:
// at 1,000,000 readers, a page of a list whose one member is the newest
// reader took 1.3 s of the fan-out's write transaction when it walked the
// confirmed readers instead, and takes 2 ms this way.
const recipientsOfListSQL = `SELECT s.id, s.email, s.name FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id
	WHERE x.subscriber_id > ? AND x.list_id = (SELECT list_id FROM campaign_lists WHERE campaign_id = ?)
	AND x.status = 'active' AND s.status = 'confirmed' AND NOT ` + events.SuppressedSQL + `
	ORDER BY x.subscriber_id LIMIT ?`

// A campaign to several lists pages through each list's members as the
// one-list campaign does, and merges them (mergeMembers): membersSQL reads
// the next active members of one list after a subscriber id, at most a
// page, from the subscriptions_list index, and recipientsOfSQL keeps, of a
// JSON array of subscriber ids, those who may get a campaign, in id order.
// Each reader comes once however many of the lists they are on.
const (
	membersSQL = `SELECT subscriber_id FROM subscriptions
	WHERE list_id = ? AND status = 'active' AND subscriber_id > ? ORDER BY subscriber_id LIMIT ?`
	recipientsOfSQL = `SELECT s.id, s.email, s.name FROM json_each(?) AS page CROSS JOIN subscribers s ON s.id = page.value
	WHERE s.status = 'confirmed' AND NOT ` + events.SuppressedSQL + ` ORDER BY s.id`
)

// mergeMembers merges the next members of each list, each ascending and
// at most size long, into the subscriber ids of the next page, each once,
// at most size of them, and returns the last as cursor. Every member up
// to cursor, on any of the lists, is in this page or an earlier one: a
// list that gave a whole page may have members past its last id, but
// size of the merged ids at least come up to that id, so the page, cut at
// size, ends before any member not read. done says no list has members
// past cursor.
func mergeMembers(members [][]int64, size int) (ids []int64, cursor int64, done bool) {
	done = true
	for _, m := range members {
		ids = append(ids, m...)
		done = done && len(m) < size
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > size {
		ids, done = ids[:size], false
	}
	if len(ids) > 0 {
		cursor = ids[len(ids)-1]
	}
	return ids, cursor, done
}

// insertSQL inserts the deliveries of one page in one statement, a
// statement per row costing more than the row. The page's subscriber ids,
// those the page has just read in the same transaction, come in
// their order as one JSON array read with json_each: the recipients'
// conditions are not evaluated a second time, and the statement's text is
// the same for every page, so the driver keeps it prepared. When this
// process sends the page itself (Kick), the rows are inserted claimed by
// it (claimed_until, one attempt), which saves its sender a claim
// statement per chunk; otherwise both are NULL and 0, and the page's
// mail:send task claims them. (WHERE true keeps SQLite from reading ON
// CONFLICT as the join constraint of json_each.)
const insertSQL = `INSERT INTO deliveries (campaign_id, subscriber_id, status, batch, updated_at, claimed_until, attempts)
	SELECT ?, value, 'queued', ?, ?, ?, ? FROM json_each(?) WHERE true
	ON CONFLICT (campaign_id, subscriber_id) DO NOTHING RETURNING id, subscriber_id`

// fanoutPage turns the next page of recipients into deliveries, in one
// transaction with the cursor, and returns them as batches, one for each
// of the campaign's lists the page has readers of (batchNumber), without
// their content. It says done, with no batch, when there is nothing to
// do: the campaign is not sending or its fan-out is done.
func (s *Service) fanoutPage(ctx context.Context, id int64) ([]*queue.SendPayload, bool, error) {
	var batches []*queue.SendPayload
	var done, finished bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		batches, done = nil, true
		after, active, err := fanoutCursor(ctx, tx, id)
		if err != nil || !active {
			return err
		}
		// This transaction holds the write lock: whoever leaves after it
		// began commits after it, so a worker skips them (Since).
		var last int64
		batches, last, done, err = s.insertPage(ctx, tx, id, after, s.now())
		if err != nil {
			return err
		}
		n := 0
		for _, b := range batches {
			n += len(b.Recipients)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET fanout_after = ?, fanout_done = ?, total = total + ?, updated_at = ? WHERE id = ?`,
			last, done, n, now, id); err != nil {
			return fmt.Errorf("advance fan-out: %w", err)
		}
		if done {
			finished, err = completeTx(ctx, tx, id, now)
			return err
		}
		return nil
	})
	if finished && err == nil {
		s.logSent(ctx, id)
	}
	return batches, done, err
}

// A page of a campaign's readers becomes a batch for each of the
// campaign's lists it has readers of: each reader goes in the batch of
// the first of the campaign's lists, in the order they were given
// (campaignListIDs), they are on, and the batch's messages name that list
// (List-Id, the footer, From and Reply-To). The
// batch's number, which its deliveries keep and its mail:send task's ID
// holds, says which list: after*k + i for the page after subscriber id
// after and the list i of k. So a campaign to one list numbers its
// batches after as ever, and so does a digest, to its one list. A
// campaign's lists stay as they are while it sends (its lists cannot be
// changed then, nor one of them deleted), so the reconciler reads the
// same list from the number when it rebuilds the batch. A campaign
// stored before its lists kept their order has them in the order of
// their ids (migration 092), as its batches were numbered then.

// batchNumber is the number of the batch of list i of k in the page
// after subscriber id after.
func batchNumber(after int64, i, k int) int64 { return after*int64(k) + int64(i) }

// batchList is the index, among k lists, of the list of batch b.
func batchList(b int64, k int) int { return int(b % int64(k)) }

// insertPage reads the page of recipients of campaign id after subscriber
// id after, inserts their deliveries and returns the new ones as batches
// (batchNumber) read at since. It returns where the next page starts
// after and whether the fan-out is done. It runs in the fan-out's
// transaction, so the deliveries inserted are those of the recipients
// just read.
func (s *Service) insertPage(ctx context.Context, tx *sql.Tx, id, after int64, since time.Time) ([]*queue.SendPayload, int64, bool, error) {
	lists, err := campaignListIDs(ctx, tx, id)
	if err != nil {
		return nil, 0, false, err
	}
	var page []pageReader
	cursor, done := after, true
	if len(lists) == 1 {
		page, err = scanReaders(tx.QueryContext(ctx, recipientsOfListSQL, after, id, s.pageSize()))
		if len(page) > 0 {
			cursor = page[len(page)-1].id
		}
		done = len(page) < s.pageSize()
	} else {
		page, cursor, done, err = s.pageOfLists(ctx, tx, lists, after)
	}
	if err != nil || len(page) == 0 {
		return nil, cursor, done, err
	}
	sids := make([][]int64, len(lists))
	for _, r := range page {
		sids[r.list] = append(sids[r.list], r.id)
	}
	var batches []*queue.SendPayload
	byList := make([]*queue.SendPayload, len(lists))
	dids := make(map[int64]int64, len(page))
	now := s.now()
	for i, group := range sids {
		if len(group) == 0 {
			continue
		}
		b := &queue.SendPayload{CampaignID: id, Batch: batchNumber(after, i, len(lists)), Since: since}
		ids, err := insertDeliveries(ctx, tx, b, group, now, s.Kick != nil)
		if err != nil {
			return nil, 0, false, err
		}
		for sid, did := range ids {
			dids[sid] = did
		}
		byList[i] = b
		batches = append(batches, b)
	}
	for _, r := range page {
		if did, ok := dids[r.id]; ok {
			b := byList[r.list]
			b.Recipients = append(b.Recipients, s.recipient(id, lists[r.list], did, r.id, r.email, r.name))
		}
	}
	return batches, cursor, done, nil
}

// A pageReader is a recipient of a page, and the index among the
// campaign's lists of the first they are on.
type pageReader struct {
	id          int64
	email, name string
	list        int
}

// pageOfLists reads the page after subscriber id after of a campaign to
// lists: each list's next members, merged (mergeMembers), then those of
// them who may get the campaign, each with the first of lists they are
// on. Every member of a list up to the page's cursor is among the list's
// members read (see mergeMembers), so that is the first list of theirs.
func (s *Service) pageOfLists(ctx context.Context, tx *sql.Tx, lists []int64, after int64) ([]pageReader, int64, bool, error) {
	members := make([][]int64, len(lists))
	for i, l := range lists {
		var err error
		if members[i], err = sqlite.Column[int64](tx.QueryContext(ctx, membersSQL, l, after, s.pageSize())); err != nil {
			return nil, after, false, fmt.Errorf("page recipients: %w", err)
		}
	}
	n := 0
	for _, m := range members {
		n += len(m)
	}
	first := make(map[int64]int, n)
	for i := len(lists) - 1; i >= 0; i-- {
		for _, sid := range members[i] {
			first[sid] = i
		}
	}
	ids, cursor, done := mergeMembers(members, s.pageSize())
	if len(ids) == 0 {
		return nil, after, true, nil
	}
	page, err := scanReaders(tx.QueryContext(ctx, recipientsOfSQL, jsonIDs(ids)))
	for i := range page {
		page[i].list = first[page[i].id]
	}
	return page, cursor, done, err
}

// scanReaders reads the recipients a page's query returns.
func scanReaders(rows *sql.Rows, err error) ([]pageReader, error) {
	if err != nil {
		return nil, fmt.Errorf("page recipients: %w", err)
	}
	defer rows.Close()
	var page []pageReader
	for rows.Next() {
		var r pageReader
		if err := rows.Scan(&r.id, &r.email, &r.name); err != nil {
			return nil, fmt.Errorf("page recipients: %w", err)
		}
		page = append(page, r)
	}
	return page, rows.Err()
}

// campaignListIDs returns the ids of campaign id's lists, in the order
// they were given (listOrder): the fan-out gives a reader on several of
// them the mail of the first, and numbers its batches by this order.
func campaignListIDs(ctx context.Context, q sqlite.Querier, id int64) ([]int64, error) {
	ids, err := sqlite.Column[int64](q.QueryContext(ctx, `SELECT list_id FROM campaign_lists cl WHERE campaign_id = ? ORDER BY `+listOrder, id))
	if err != nil {
		return nil, fmt.Errorf("page recipients: %w", err)
	}
	return ids, nil
}

// insertDeliveries inserts the deliveries of batch to the subscribers
// sids, in their order, and returns the new ones' ids by subscriber id; a
// delivery that exists already is left alone and not returned. The new
// ones are claimed, and batch.ClaimedUntil set, when claim says so.
func insertDeliveries(ctx context.Context, tx *sql.Tx, batch *queue.SendPayload, sids []int64, now time.Time, claim bool) (map[int64]int64, error) {
	var until any
	attempts := 0
	if claim {
		batch.ClaimedUntil = now.Add(claimFor)
		until, attempts = batch.ClaimedUntil, 1
	}
	rows, err := tx.QueryContext(ctx, insertSQL, batch.CampaignID, batch.Batch, now, until, attempts, jsonIDs(sids))
	if err != nil {
		return nil, fmt.Errorf("insert deliveries: %w", err)
	}
	defer rows.Close()
	ids := make(map[int64]int64, len(sids))
	for rows.Next() {
		var did, sid int64
		if err := rows.Scan(&did, &sid); err != nil {
			return nil, fmt.Errorf("insert deliveries: %w", err)
		}
		ids[sid] = did
	}
	return ids, rows.Err()
}

// jsonIDs writes ids as a JSON array, for a statement to read them with
// json_each(?): one argument, however many ids, keeps the statement's
// text, and so its prepared form, the same. It is a string so that it is
// bound as TEXT: SQLite reads a BLOB argument as JSONB where it can.
func jsonIDs(ids []int64) string {
	b := make([]byte, 0, 2+len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// fanoutCursor reads campaign id's fan-out cursor (a campaign's last
// subscriber id handed out, a digest's next batch) and whether its
// fan-out has work: the campaign is sending and its fan-out not done.
func fanoutCursor(ctx context.Context, tx *sql.Tx, id int64) (after int64, active bool, err error) {
	var status string
	var finished bool
	err = tx.QueryRowContext(ctx, `SELECT status, fanout_after, fanout_done FROM campaigns WHERE id = ?`, id).Scan(&status, &after, &finished)
	if err != nil {
		return 0, false, fmt.Errorf("fan-out cursor: %w", err)
	}
	return after, status == StatusSending && !finished, nil
}
