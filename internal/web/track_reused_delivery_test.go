package web

import (
	"net/http"
	"testing"

	"github.com/bulletinhq/bulletin/internal/tracking"
)

// A click through GET /r/LINK.READER on an old mail whose delivery was
// deleted (an erasure, the retention fold), and whose id SQLite has since
// given to another reader's delivery of a later campaign, counts for the
// old campaign with no delivery: never as the other reader's click.
func TestOldMailClickIsNotPinnedOnAnotherReader(t *testing.T) {
	e := newTrackEnv(t)
	a, da := e.campaign(t, tracking.On, false, []string{"https://a.test/story"}, 1)
	if _, err := e.db.Write.Exec(`DELETE FROM deliveries WHERE id = ?`, da[0]); err != nil {
		t.Fatal(err)
	}
	b, db := e.campaign(t, tracking.On, false, []string{"https://b.test/other"}, 1)
	if db[0] != da[0] {
		t.Fatalf("setup: campaign %d's delivery got id %d, not the freed %d", b, db[0], da[0])
	}
	w := e.do("GET", e.link(a, 0, da[0]), "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15")
	if w.Code != http.StatusFound || w.Header().Get("Location") != "https://a.test/story" {
		t.Fatalf("redirect: %d %q", w.Code, w.Header().Get("Location"))
	}
	e.rec.Flush()
	if n := e.count(t, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ?`, a); n != 1 {
		t.Fatalf("%d clicks on campaign %d, want 1", n, a)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM clicks c JOIN deliveries d ON d.id = c.delivery_id WHERE c.campaign_id = ? AND d.campaign_id <> c.campaign_id`, a); n != 0 {
		t.Errorf("the click on campaign %d's mail is stored against delivery %d, which is campaign %d's copy for another reader", a, db[0], b)
	}
}
