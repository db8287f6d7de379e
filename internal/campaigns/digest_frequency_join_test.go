package campaigns_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A daily reader who turns weekly and then joins another daily list
// before its next digest is in the weekly window there at once: that list
// never mailed them a daily digest, so they get its round-ups only, each
// of its articles once. The list they were on keeps their daily window
// until its round-up, as before. The join may come later, through the
// admin or the preferences page, or in the same preferences form.
func TestFrequencySwitchThenJoinAnotherDailyList(t *testing.T) {
	for _, via := range []string{"admin", "preferences", "one form"} {
		t.Run(via, func(t *testing.T) {
			e := newFreqEnv(t, "daily")
			city := e.listAt(t, "city", "daily", 8, "monday", "UTC")
			e.reader(t, "s@x.example", "confirmed", "daily", e.news)
			e.days(t, 0, 3) // Monday to Wednesday
			if via != "one form" {
				e.switchVia(t, "admin", "s@x.example", "weekly", freqDay(2).Add(12*time.Hour))
			}

			e.clock = freqDay(2).Add(13 * time.Hour)
			var id int64
			if err := e.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = 's@x.example'`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			store := subscribers.NewStore(e.db)
			lists := []string{"news", "city"}
			var err error
			switch via {
			case "admin":
				_, err = store.Update(context.Background(), id, &subscribers.Patch{Lists: &lists})
			case "preferences", "one form":
				err = store.SetPreferences(context.Background(), id, subscribers.Preferences{Name: "Reader", Frequency: "weekly", Lists: lists})
			}
			if err != nil {
				t.Fatal(err)
			}

			var cityTitles []string
			for n := 3; n < 14; n++ {
				title := fmt.Sprintf("City%03d", n)
				e.articleAt(t, city, title, freqDay(n).Add(7*time.Hour))
				cityTitles = append(cityTitles, title)
				e.days(t, n, n+1)
				if n == 6 { // Sunday, before the round-up
					if got := e.got(t, "s@x.example", cityTitles[0]); got != 0 {
						t.Errorf("by Sunday the reader got Thursday's city article in %d digests, want 0: they are weekly there", got)
					}
				}
			}
			e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
			for _, title := range cityTitles {
				if n := e.got(t, "s@x.example", title); n != 1 {
					t.Errorf("the reader got %s in %d digests, want 1", title, n)
				}
			}
			e.onceEach(t, "s@x.example", "d@x.example", "w@x.example")
		})
	}
}

// A reader who turned weekly, left a daily list and came back before its
// round-up keeps the daily window there until the round-up: their past
// digests from it were daily ones, and the round-up does not mail those
// articles again. They come back by an edit of their lists, or through a
// pending subscription (an editor sets them pending with the list, then
// confirmed), which keeps the window too.
func TestFrequencySwitchLeaveAndRejoinADailyList(t *testing.T) {
	pending, confirmed := "pending", "confirmed"
	both := []string{"news", "city"}
	for _, back := range []struct {
		name    string
		patches []*subscribers.Patch
	}{
		{"lists edited", []*subscribers.Patch{{Lists: &both}}},
		{"through pending", []*subscribers.Patch{{Status: &pending, Lists: &both}, {Status: &confirmed}}},
	} {
		t.Run(back.name, func(t *testing.T) {
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
			day(2)                                                                             // Wednesday's build settles the change
			update(freqDay(2).Add(12*time.Hour), &subscribers.Patch{Lists: &[]string{"news"}}) // leaves city
			day(3)
			for i, p := range back.patches { // back on Thursday
				update(freqDay(3).Add(12*time.Hour+time.Duration(i)*time.Hour), p)
			}
			for n := 4; n < 14; n++ {
				day(n)
			}
			e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
			for n, title := range titles {
				if got := e.got(t, "s@x.example", title); got > 1 || (n >= 4 && got != 1) {
					t.Errorf("the reader got %s (day %d) in %d digests, want once from Friday on and never twice", title, n, got)
				}
			}
			e.onceEach(t, "s@x.example", "d@x.example", "w@x.example")
		})
	}
}
