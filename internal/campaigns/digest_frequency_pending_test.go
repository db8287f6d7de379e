package campaigns_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// As TestFrequencySwitchLeaveAndRejoinADailyList, with the reader back
// through a pending subscription (an editor sets them pending with the
// list, then confirmed): the ended subscription keeps its window through
// pending, and no round-up brings what their daily digests did.
func TestFrequencySwitchLeaveAndRejoinThroughPending(t *testing.T) {
	e := newFreqEnv(t, "daily")
	city := e.listAt(t, "city", "daily", 8, "monday", "UTC")
	e.reader(t, "s@x.example", "confirmed", "daily", e.news, city)
	var id int64
	if err := e.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = 's@x.example'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	store := subscribers.NewStore(e.db)
	update := func(at time.Time, p *subscribers.Patch) {
		t.Helper()
		e.clock = at
		if _, err := store.Update(context.Background(), id, p); err != nil {
			t.Fatal(err)
		}
	}
	var titles []string
	day := func(n int) {
		t.Helper()
		title := fmt.Sprintf("City%03d", n)
		e.articleAt(t, city, title, freqDay(n).Add(7*time.Hour))
		titles = append(titles, title)
		e.days(t, n, n+1)
	}
	day(0)
	day(1)
	e.switchVia(t, "admin", "s@x.example", "weekly", freqDay(1).Add(12*time.Hour))
	day(2)
	update(freqDay(2).Add(12*time.Hour), &subscribers.Patch{Lists: &[]string{"news"}})
	day(3)
	pending, confirmed := "pending", "confirmed"
	update(freqDay(3).Add(12*time.Hour), &subscribers.Patch{Status: &pending, Lists: &[]string{"news", "city"}})
	update(freqDay(3).Add(13*time.Hour), &subscribers.Patch{Status: &confirmed})
	for n := 4; n < 14; n++ {
		day(n)
	}
	e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
	for n, title := range titles {
		if got := e.got(t, "s@x.example", title); got > 1 || (n >= 4 && got != 1) {
			t.Errorf("the reader got %s (day %d) in %d digests, want once from Friday on and never twice", title, n, got)
		}
	}
}
