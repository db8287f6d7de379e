package campaigns

import (
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A digest reads the links its list got since its mark from the mark on
// (article_lists_seq), and its holds by their key, and finds each article
// by id: never every link of the list, which grows with every article it
// ever had, nor every article published since the window's bound.
func TestDigestWindowPlans(t *testing.T) {
	db := sqlitetest.Open(t)
	since := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	for name, q := range map[string]string{"articles": windowArticlesSQL, "old news": oldNewsSQL} {
		p := sqlitetest.Plan(t, db.Write, q, 1, 5, 1, "digest_marks", since)
		for _, want := range []string{
			"SEARCH article_lists USING INDEX article_lists_seq (list_id=? AND seq>?)",
			"SEARCH h USING COVERING INDEX sqlite_autoindex_digest_holds_1 (list_id=? AND marks=?)",
			"SEARCH a USING INTEGER PRIMARY KEY (rowid=?)",
		} {
			if !strings.Contains(p, want) {
				t.Errorf("%s: the plan lacks %s:\n%s", name, want, p)
			}
		}
		if strings.Contains(p, "SCAN ") || strings.Contains(p, "articles_published") || strings.Contains(p, "articles_newest") {
			t.Errorf("%s: the plan walks a table or the articles by date:\n%s", name, p)
		}
	}
}
