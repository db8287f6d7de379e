package web

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

// The report's table of links marks the address the mail's masthead leads
// to, a link the editor did not write in the body, and only that one.
func TestReportMarksTheMastheadLink38(t *testing.T) {
	s, a, db := mastheadReportServer(t)
	home := s.brand().HomeURL()
	if home == "" {
		t.Fatal("the test server's brand has no home address")
	}
	path, started := lay37Campaign(t, db, "harbour-weekly", true)
	id := strings.TrimSuffix(strings.TrimPrefix(path, "/admin/campaigns/"), "/report")
	if _, err := db.Write.Exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, 1, ?)`, id, strings.TrimSuffix(home, "/")+"/"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`INSERT INTO clicks (campaign_id, link_idx, clicker, at) VALUES (?, 1, 7, ?)`, id, started.Add(5*60e9)); err != nil {
		t.Fatal(err)
	}
	resp, body := a.get(path)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	const mark = "the publication’s name at the top of the mail"
	if n := strings.Count(body, mark); n != 1 {
		t.Fatalf("the masthead's mark is on %d rows, want 1:\n%s", n, body)
	}
	row := body[strings.LastIndex(body[:strings.Index(body, mark)], "<tr>"):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, `title="`+strings.TrimSuffix(home, "/")+`/"`) || strings.Contains(row, "harbourgazette.example/pier") {
		t.Errorf("the mark is on the wrong row: %s", row)
	}
}

// mastheadReportServer is an admin server with reports, links and settings, its
// editor signed in, and its database.
func mastheadReportServer(t *testing.T) (*Server, *adminClient, *sqlite.DB) {
	t.Helper()
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		s.TrackDeps = TrackDeps{Reports: tracking.NewReports(d), Links: tracking.NewLinks(d)}
		s.Settings = settings.NewStore(d, filepath.Join(t.TempDir(), "media"), settingsDefaults)
	})
	a.login("correct horse battery")
	return s, a, db
}
