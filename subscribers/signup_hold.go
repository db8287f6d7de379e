package subscribers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A merge is a signup added to the request of a known reader.
type merge struct {
	req *request // the request with the signup in it
	// changed says that the signup adds something to the request: a list,
	// a name where the reader has none, an attribute.
	changed bool
	// unnamed says that it adds a list no mail has named yet: one the
	// reader is not on and did not ask for before.
	unnamed bool
}

// mergeRequest adds in, asking for listIDs, to the request subscriber id
// (of status) has, or to an empty one. Nothing in the request gives way:
// its lists stay and the signup's lists join them, its name stays and the
// signup's name comes in only where neither the request nor the reader
// has one, and its attributes stay, the signup adding the keys it lacks.
// Applying it (applyRequest) overwrites nothing of the reader's either.
func mergeRequest(ctx context.Context, tx sqlite.Querier, id int64, status string, in *Signup, listIDs []int64) (*merge, error) {
	old, err := loadRequest(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	m := &merge{req: &request{lists: "[]", attributes: map[string]any{}}}
	if old != nil {
		m.req = old
	}
	var asked []int64
	if err := json.Unmarshal([]byte(m.req.lists), &asked); err != nil {
		return nil, fmt.Errorf("signup: request lists %q: %w", m.req.lists, err)
	}
	on, err := namedLists(ctx, tx, id, status)
	if err != nil {
		return nil, err
	}
	for _, lid := range listIDs {
		if !slices.Contains(asked, lid) && !on[lid] {
			asked = append(asked, lid)
			m.changed, m.unnamed = true, true
		}
	}
	slices.Sort(asked)
	m.req.lists = idsJSON(asked)
	if in.Name != "" && m.req.name == "" {
		var have string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM subscribers WHERE id = ?`, id).Scan(&have); err != nil {
			return nil, fmt.Errorf("signup: %w", err)
		}
		if have == "" {
			m.req.name, m.changed = in.Name, true
		}
	}
	if mergeAttributes(m.req, in.Attributes) {
		m.changed = true
	}
	return m, nil
}

// namedLists returns the lists of subscriber id (of status) that need no
// request: those they are active on and, for a pending reader, those their
// confirmation names and activates anyway.
func namedLists(ctx context.Context, tx sqlite.Querier, id int64, status string) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT list_id FROM subscriptions WHERE subscriber_id = ?
		AND (status = 'active' OR (status = 'pending' AND ? = 'pending'))`, id, status)
	if err != nil {
		return nil, fmt.Errorf("signup: %w", err)
	}
	defer rows.Close()
	on := map[int64]bool{}
	for rows.Next() {
		var lid int64
		if err := rows.Scan(&lid); err != nil {
			return nil, fmt.Errorf("signup: %w", err)
		}
		on[lid] = true
	}
	return on, rows.Err()
}

// mergeAttributes adds to r the attributes of add it lacks, as long as the
// whole stays within MaxAttributesLen, and reports whether it added any.
func mergeAttributes(r *request, add map[string]any) bool {
	var keys []string
	for k := range add {
		if _, ok := r.attributes[k]; !ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return false
	}
	merged := make(map[string]any, len(r.attributes)+len(keys))
	for k, v := range r.attributes {
		merged[k] = v
	}
	for _, k := range keys {
		merged[k] = add[k]
	}
	if len(attributesJSON(merged)) > MaxAttributesLen {
		return false
	}
	r.attributes = merged
	return true
}

// holdRequest keeps a signup that comes within ConfirmInterval of the last
// confirmation mail to the address (flagged at sentAt), which sends none:
// it joins the reader's request, so that the link of that mail applies it
// (Confirm applies the request as it stands at the click), and the page
// that answers every signup can say so. A list it adds that the mail does
// not name (the mail went already: it is not queued still, waiting to be
// composed from the request as it will then stand) dates the request
// after the mail: the reconciler then mails the address again once the
// interval allows, unless a click applied the request first, so that a
// reader who followed the first link already, or never opens it, still
// gets a mail naming the list. The request's date is when a mail named
// all of it, as saveRequest sets it.
// It reports whether it left such a mail due: Signups then schedules it
// for the moment the interval is over (see queue.NewConfirmDueTask), so
// that it does not wait for the reconciler's next tick.
func holdRequest(ctx context.Context, tx sqlite.Querier, id int64, status string, in *Signup, listIDs []int64, sentAt time.Time, queued bool, now time.Time) (due bool, err error) {
	m, err := mergeRequest(ctx, tx, id, status, in, listIDs)
	if err != nil || !m.changed {
		return false, err
	}
	switch {
	case m.unnamed && !queued:
		m.req.requestedAt, due = now, true
	case m.req.requestedAt.IsZero():
		m.req.requestedAt = sentAt
	}
	return due, storeRequest(ctx, tx, id, m.req)
}
