package subscribers

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// No index is kept for the confirmation flag, which each signup would
// write; the statements that read flagged rows find them otherwise. A
// confirm task reads its rows by id, not through subscribers_status,
// which would walk every pending reader for each chunk, nor claims them
// through it. The reconciler,
// every 5 minutes, reads and hands back flagged rows through
// subscribers_status: neither of its statements walks every reader, and
// the second holds the write connection while it runs.
func TestConfirmFlagPlans(t *testing.T) {
	s := newStore(t)
	plan := func(q string, args ...any) string {
		t.Helper()
		return sqlitetest.Plan(t, s.db.Write, q, args...)
	}
	if p := plan(awaitingConfirmSQL, "[1,2,3]"); !strings.Contains(p, "SEARCH subscribers USING INTEGER PRIMARY KEY (rowid=?)") ||
		strings.Contains(p, "subscribers_status") || strings.Contains(p, "SCAN subscribers") {
		t.Errorf("the claim does not read its rows by id:\n%s", p)
	}
	if p := plan(claimRowsSQL, int64(0), `[{"id":1,"sent_at":"x"}]`, true); !strings.Contains(p, "SEARCH subscribers USING INTEGER PRIMARY KEY (rowid=?)") ||
		strings.Contains(p, "subscribers_status") || strings.Contains(p, "SCAN subscribers") {
		t.Errorf("the claim does not find its rows by id:\n%s", p)
	}
	for name, q := range map[string]string{"find": reconcileFindSQL, "unclaim": reconcileUnclaimSQL} {
		if p := plan(q, sqlite.Now(), int64(0)); strings.Contains(p, "SCAN subscribers") || !strings.Contains(p, "USING INDEX subscribers_status") {
			t.Errorf("%s walks the readers:\n%s", name, p)
		}
	}
	var n int
	if err := s.db.Read.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND sql LIKE '%confirm_queued%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d indexes on confirm_queued (%v), want none", n, err)
	}
}
