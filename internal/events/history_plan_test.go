package events

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A reader's page reads their events from events_subscriber, and their
// campaigns by id; it never walks the events table.
func TestHistoryIsAnIndexSearch(t *testing.T) {
	db := sqlitetest.Open(t)
	p := sqlitetest.Plan(t, db.Write, historySQL, 1, HistoryLimit+1)
	if !strings.Contains(p, "SEARCH e USING INDEX events_subscriber (subscriber_id=?)") || strings.Contains(p, "SCAN e") {
		t.Errorf("a reader's events are not read from events_subscriber:\n%s", p)
	}
}
