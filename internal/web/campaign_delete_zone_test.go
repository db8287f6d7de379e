package web

import (
	"strings"
	"testing"
)

// The delete page of a scheduled campaign says when it would go out as
// the campaign's page does, in the zone it was scheduled in with UTC
// beside it: it gave the time in UTC alone, unnamed.
func TestDeletePageShowsTheScheduledZone(t *testing.T) {
	e := newZone32Env(t)
	page := e.save(t, "", "2099-01-01T09:00", "Asia/Tokyo")
	_, body := e.a.get(page + "/delete")
	if want := "scheduled for 1 January 2099, 09:00 Asia/Tokyo (00:00 UTC)"; !strings.Contains(body, want) {
		t.Errorf("the delete page does not say %q:\n%s", want, body)
	}
}
