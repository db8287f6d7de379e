package campaigns

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// The statements the fan-out, the claims and the results run per page or
// chunk keep their text whatever the number of ids, and find deliveries
// by id rather than by scanning: EXPLAIN QUERY PLAN shows how.
func TestHotStatementPlans(t *testing.T) {
	db := sqlitetest.Open(t)
	plan := func(q string, args ...any) string {
		t.Helper()
		return sqlitetest.Plan(t, db.Write, q, args...)
	}
	ids := jsonIDs([]int64{1, 2, 3})
	byID := map[string]string{
		"mark sent":         plan(markSentSQL, nil, nil, 1, ids),
		"skip gone":         plan(skipGoneSQL+`(claimed_until IS NULL OR claimed_until < ?)`, nil, 1, ids, nil),
		"claim":             plan(claimSQL+`(claimed_until IS NULL OR claimed_until < ?) RETURNING id`, nil, 1, ids, nil),
		"claim stale again": plan(claimSQL+`claimed_until = ? RETURNING id`, nil, 1, ids, nil),
	}
	for name, p := range byID {
		if !strings.Contains(p, "SEARCH deliveries USING INTEGER PRIMARY KEY (rowid=?)") || strings.Contains(p, "SCAN deliveries") {
			t.Errorf("%s does not find deliveries by id:\n%s", name, p)
		}
	}
	// A campaign to several lists reads each list's next members from its
	// index, and their readers by id: a page never walks the readers.
	if p := plan(membersSQL, 1, 0, 7); !strings.Contains(p, "USING COVERING INDEX subscriptions_list (list_id=? AND status=? AND subscriber_id>?)") {
		t.Errorf("a list's members are not read from subscriptions_list:\n%s", p)
	}
	if p := plan(recipientsOfSQL, ids); !strings.Contains(p, "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)") || strings.Contains(p, "SCAN s") {
		t.Errorf("a page's readers are not read by id:\n%s", p)
	}
	// The count of a paused campaign's readers not yet reached walks the
	// lists' members after the cursor and finds each reader by id, never
	// every confirmed reader by when they joined (subscribers_status_created).
	if p := plan(unfannedSQL, "2026-12-03 09:00:00+00:00", 1); !strings.Contains(p, "subscriptions_list (list_id=? AND status=? AND subscriber_id>?)") ||
		strings.Contains(p, "created_at<") || strings.Contains(p, "SCAN s") {
		t.Errorf("the readers not yet reached are not counted from the lists' members:\n%s", p)
	}
	// The insert reads only the ids it is given, not the recipients again.
	// (SQLite plans a look at the clicks and opens that point at a row it
	// might replace, their ON DELETE SET NULL: by their delivery index.)
	p := plan(insertSQL, 1, 0, nil, nil, 0, ids)
	for _, line := range strings.Split(p, "\n") {
		child := strings.Contains(line, "SEARCH opens USING COVERING INDEX opens_delivery (delivery_id=?)") ||
			strings.Contains(line, "SEARCH clicks USING COVERING INDEX clicks_delivery (delivery_id=?)")
		if !strings.Contains(line, "json_each") && !child {
			t.Errorf("insert reads more than its ids:\n%s", p)
		}
	}
}

func TestJSONIDs(t *testing.T) {
	for _, ids := range [][]int64{nil, {7}, {1, 22, 333, 9_007_199_254_740_993, -4}} {
		s := jsonIDs(ids)
		var back []int64
		if err := json.Unmarshal([]byte(s), &back); err != nil || len(back) != len(ids) {
			t.Fatalf("jsonIDs(%v) = %s: %v", ids, s, err)
		}
		for i := range ids {
			if back[i] != ids[i] {
				t.Errorf("jsonIDs(%v) = %s", ids, s)
			}
		}
	}
}
