package web

import (
	"strings"
	"testing"
)

// With a logo set, the mail's masthead shows the logo in place of the
// publication's name: the report's table of links says the logo leads
// to the masthead's address, not "the publication’s name".
func TestReportSaysTheMastheadLinkIsTheLogo(t *testing.T) {
	s, a, db := mastheadReportServer(t)
	saveLogo(t, a)
	b := s.brand()
	if b.LogoURL == "" || b.HomeURL() == "" {
		t.Fatalf("the test server's brand has no logo or home address: %+v", b)
	}
	path, _ := lay37Campaign(t, db, "harbour-weekly", true)
	id := strings.TrimSuffix(strings.TrimPrefix(path, "/admin/campaigns/"), "/report")
	if _, err := db.Write.Exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, 1, ?)`, id, b.HomeURL()); err != nil {
		t.Fatal(err)
	}
	_, body := a.get(path)
	const logo = "the publication’s logo at the top of the mail, and any other link to this address"
	if n := strings.Count(body, logo); n != 1 {
		t.Errorf("the logo's mark is on %d rows, want 1", n)
	}
	if strings.Contains(body, "the publication’s name at the top of the mail") {
		t.Errorf("the report says the masthead shows the publication's name, though it shows the logo:\n%s", body[strings.Index(body, "<h2>Links</h2>"):])
	}
}
