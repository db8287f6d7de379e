package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// On a phone the subscribers table stacks into cards, each cell under its
// label: a reader with no name, or on no list, showed "Name:" or "Lists:"
// with nothing after it. Those cells are not shown there; on a laptop the
// table keeps every column, the empty cells blank as before.
// BULLETIN_SCREENSHOTS=dir keeps a screenshot of each view.
func TestSubscribersCardsHideEmptyLabels(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		execAt(t, db, time.Now(),
			`INSERT INTO lists (id, slug, name, public, created_at) VALUES (1, 'events', 'Harbour Events', 1, ?)`,
			`INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at) VALUES (1, 'ada@x.example', 'ada@x.example', 'Ada Reader', 'confirmed', ?, ?)`,
			`INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at) VALUES (2, 'nameless@x.example', 'nameless@x.example', '', 'pending', ?, ?)`,
			`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (1, 1, 'active', ?, ?)`,
		)
	})
	a.login("correct horse battery")
	ctx := browser33(t)
	login33(t, ctx, a.base)
	shots := os.Getenv("BULLETIN_SCREENSHOTS")
	// cells are the data cells of each row, as "Label=text" where shown.
	const cells = `Array.from(document.querySelectorAll("table.stack tr")).slice(1).map(function(tr){
		return Array.from(tr.querySelectorAll("td")).filter(function(td){return td.getClientRects().length > 0})
			.map(function(td){return td.dataset.label + "=" + td.innerText.trim()}).join("|")}).join("\n")`
	for _, v := range views33 {
		open33(t, ctx, v, a.base+"/admin/subscribers")
		got := eval33[string](t, ctx, cells)
		var want string
		if v.width < 600 {
			want = "Email=nameless@x.example|Status=pending|Joined=" + "\n" +
				"Email=ada@x.example|Name=Ada Reader|Status=confirmed|Lists=Harbour Events|Joined="
		} else {
			want = "Email=nameless@x.example|Name=|Status=pending|Lists=|Joined=" + "\n" +
				"Email=ada@x.example|Name=Ada Reader|Status=confirmed|Lists=Harbour Events|Joined="
		}
		// The dates are today's; only the cells and their order matter.
		var rows []string
		for _, row := range strings.Split(got, "\n") {
			if i := strings.Index(row, "|Joined="); i >= 0 {
				row = row[:i+len("|Joined=")]
			}
			rows = append(rows, row)
		}
		if strings.Join(rows, "\n") != want {
			t.Errorf("at %s the rows show\n%s\nwant\n%s", v, strings.Join(rows, "\n"), want)
		}
		if shots != "" {
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			name := strings.NewReplacer(" ", "", ",", "-").Replace(v.String())
			if err := os.WriteFile(filepath.Join(shots, "subscribers-"+name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
