package subscribers

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// The subscribers page's pages choose their readers from an index in the
// page's order, from either end or from a cursor, all readers or those of
// one status, and never sort the table: at 1,000,000 readers a sort cost
// 1.2 s a page. Only the page's own readers are read whole, by id.
func TestNewestPagesReadTheIndexInOrder(t *testing.T) {
	db := sqlitetest.Open(t)
	at := "2026-12-03 09:00:00+00:00"
	status := []string{`status = ?`}
	desc, asc := `created_at DESC, id DESC`, `created_at, id`
	for name, c := range map[string]struct {
		plan, index string
	}{
		"first page":      {sqlitetest.Plan(t, db.Read, newestIDsSQL(nil, desc), 51), "subscribers_created"},
		"older page":      {sqlitetest.Plan(t, db.Read, newestIDsSQL([]string{olderThan}, desc), at, 7, 51), "subscribers_created (created_at<?)"},
		"newer page":      {sqlitetest.Plan(t, db.Read, newestIDsSQL([]string{newerThan}, asc), at, 7, 51), "subscribers_created (created_at>?)"},
		"first confirmed": {sqlitetest.Plan(t, db.Read, newestIDsSQL(status, desc), "confirmed", 51), "subscribers_status_created (status=?)"},
		"older confirmed": {sqlitetest.Plan(t, db.Read, newestIDsSQL(append(status, olderThan), desc), "confirmed", at, 7, 51),
			"subscribers_status_created (status=? AND created_at<?)"},
		"older exist": {sqlitetest.Plan(t, db.Read, `SELECT EXISTS (SELECT 1 FROM subscribers WHERE `+olderThan+`)`, at, 7),
			"subscribers_created (created_at<?)"},
	} {
		if !strings.Contains(c.plan, "USING COVERING INDEX "+c.index) || strings.Contains(c.plan, "TEMP B-TREE") {
			t.Errorf("%s does not read %s in order:\n%s", name, c.index, c.plan)
		}
	}
	p := sqlitetest.Plan(t, db.Read, newestSQL(nil, desc), 51)
	if !strings.Contains(p, "SEARCH subscribers USING INTEGER PRIMARY KEY (rowid=?)") || strings.Contains(p, "SCAN subscribers\n") {
		t.Errorf("the page's readers are not read by id:\n%s", p)
	}
}
