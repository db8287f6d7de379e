package campaigns

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// An audience, and a page of the fan-out, is read from the campaign's
// lists, then their members, even when SQLite's statistics (an ANALYZE at
// a million readers, run while no campaign had lists) would have it walk
// every subscription instead.
func TestAudiencePlansWithStatistics(t *testing.T) {
	walks := regexp.MustCompile(`SCAN (x|s|subscriptions|subscribers)\b`)
	db := sqlitetest.Open(t)
	for _, q := range []string{
		`ANALYZE`,
		`DELETE FROM sqlite_stat1`,
		`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
			('subscribers', 'subscribers_status', '1000000 1000000 1'),
			('subscribers', 'subscribers_status_created', '1000000 1000000 1 1'),
			('subscribers', 'subscribers_created', '1000000 1 1'),
			('subscribers', 'sqlite_autoindex_subscribers_1', '1000000 1'),
			('subscriptions', 'subscriptions_list', '1000400 333467 333467 1'),
			('subscriptions', 'sqlite_autoindex_subscriptions_1', '1000400 1 1')`,
		`ANALYZE sqlite_schema`, // loads the rows above
	} {
		if _, err := db.Write.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	fromLists := []string{"SEARCH cl USING COVERING INDEX sqlite_autoindex_campaign_lists_1 (campaign_id=?)",
		"SEARCH x USING COVERING INDEX subscriptions_list (list_id=? AND status=?)"}
	for _, c := range []struct {
		name, sql string
		args      []any
		want      []string
	}{
		{"audience", campaignAudienceSQL, []any{1}, fromLists},
		{"reaches", campaignReachesSQL, []any{1}, fromLists},
		{"the list's audiences", setsAudienceSQL, []any{`["a","b"]`}, []string{"SEARCH l USING COVERING INDEX sqlite_autoindex_lists_1 (slug=?)",
			"SEARCH x USING COVERING INDEX subscriptions_list (list_id=? AND status=?)", "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)"}},
		{"a page of one list", recipientsOfListSQL, []any{0, 1, 500},
			[]string{"SEARCH x USING COVERING INDEX subscriptions_list (list_id=? AND status=? AND subscriber_id>?)"}},
		{"a page of several lists", membersSQL, []any{1, 0, 500},
			[]string{"USING COVERING INDEX subscriptions_list (list_id=? AND status=? AND subscriber_id>?)"}},
	} {
		p := sqlitetest.Plan(t, db.Write, c.sql, c.args...)
		for _, w := range c.want {
			if !strings.Contains(p, w) || walks.MatchString(p) {
				t.Errorf("%s does not start from the campaign's lists:\n%s", c.name, p)
				break
			}
		}
	}
}
