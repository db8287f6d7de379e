package events

import (
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// Counting a reader's soft-bounced mails searches events_subscriber by
// reader, kind and time; it never walks the events table.
func TestSoftBouncedMailsIsAnIndexSearch(t *testing.T) {
	db := sqlitetest.Open(t)
	p := sqlitetest.Plan(t, db.Write, softBouncedMails, 1, time.Now().Add(-SoftWindow), "reader@example.com")
	if !strings.Contains(p, "SEARCH events USING INDEX events_subscriber (subscriber_id=? AND kind=? AND at>?)") || strings.Contains(p, "SCAN events") {
		t.Errorf("soft bounces are not counted from events_subscriber:\n%s", p)
	}
}
