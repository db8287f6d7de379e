package campaigns

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// archivedCampaign stores a campaign with body as sent to a public list,
// so it is in the archive, and returns its id.
func archivedCampaign(t testing.TB, db *sqlite.DB, body string) int64 {
	t.Helper()
	now := time.Now().UTC()
	res, err := db.Write.Exec(`INSERT INTO lists (slug, name, public, created_at)
		VALUES ('list-' || (SELECT COUNT(*) FROM lists), 'Harbour News', 1, ?)`, now)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := res.LastInsertId()
	res, err = db.Write.Exec(`INSERT INTO campaigns (subject, body, body_html, status, created_at, updated_at, started_at, finished_at)
		VALUES ('Winter timetable', ?, '<p>stored copy</p>', 'sent', ?, ?, ?, ?)`, body, now, now, now, now)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	if _, err := db.Write.Exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, id, list); err != nil {
		t.Fatal(err)
	}
	return id
}

// issueBody is a campaign body of the size and kind an issue has: a
// greeting with a personal field, headings, paragraphs with links and
// emphasis, a list and an image; some 3.5 KB of Markdown.
func issueBody() string {
	var b strings.Builder
	b.WriteString("Hi {{ .Name | default \"reader\" }},\n\nThe winter timetable starts on **Monday**. Here is what changes.\n\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "## Route %d\n\n", i)
		fmt.Fprintf(&b, "The ferry on route %d leaves the quay at 07:%02d and every ninety minutes after, "+
			"until the last sailing at 21:%02d. Read the [full timetable](https://news.example/routes/%d) "+
			"or _ask at the kiosk_ — it opens an hour earlier from December.\n\n", i, i*5, i*5, i)
		b.WriteString("- Tickets bought on board cost 10% more.\n- Bicycles travel free before 09:00.\n- Dogs on a lead are welcome.\n\n")
		fmt.Fprintf(&b, "![The ferry on route %d](https://news.example/img/route-%d.jpg)\n\n", i, i)
	}
	b.WriteString("See you on board,  \nThe Harbour Gazette\n")
	return b.String()
}

// BenchmarkArchiveIssue times one view of a campaign in the public
// archive, as its page asks for it: the query and the body as the public
// reads it.
//
//	go test ./internal/campaigns -run '^$' -bench ArchiveIssue -benchmem
func BenchmarkArchiveIssue(b *testing.B) {
	db := sqlitetest.Open(b)
	s := NewStore(db)
	id := archivedCampaign(b, db, issueBody())
	ctx := context.Background()
	for b.Loop() {
		is, err := s.ArchiveIssue(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if !strings.Contains(is.BodyHTML, "Hi reader,") {
			b.Fatalf("body %.80q…, want it rendered for the public", is.BodyHTML)
		}
	}
}
