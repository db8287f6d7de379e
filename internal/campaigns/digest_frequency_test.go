package campaigns_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A freqEnv is a schedEnv with the list "news", its steady readers
// d@x.example (daily) and w@x.example (weekly), and the articles added to
// it, in order.
type freqEnv struct {
	*schedEnv
	news     int64
	articles []freqArticle
}

type freqArticle struct {
	title string
	at    time.Time
}

// newFreqEnv starts at monday with "news", whose schedule is digest (at
// 08:00 UTC, round-ups on Mondays), and its steady readers.
func newFreqEnv(t *testing.T, digest string) *freqEnv {
	t.Helper()
	e := &freqEnv{schedEnv: newSchedEnv(t, monday)}
	e.news = e.listAt(t, "news", digest, 8, "monday", "UTC")
	e.reader(t, "d@x.example", "confirmed", "daily", e.news)
	e.reader(t, "w@x.example", "confirmed", "weekly", e.news)
	return e
}

// freqDay is the start of the nth day after monday.
func freqDay(n int) time.Time { return monday.AddDate(0, 0, n) }

// add adds an article to news published at at, with a title that is no
// part of another's.
func (e *freqEnv) add(t *testing.T, at time.Time) {
	t.Helper()
	title := fmt.Sprintf("Story%03d", len(e.articles)+1)
	e.articleAt(t, e.news, title, at)
	e.articles = append(e.articles, freqArticle{title, at})
}

// days runs the days from, up to but not including to: each has an
// article at 07:00, the digests due at 08:00:30 (the daily one first, as
// the scheduler lists them), and an article at 10:00.
func (e *freqEnv) days(t *testing.T, from, to int) {
	t.Helper()
	for n := from; n < to; n++ {
		e.add(t, freqDay(n).Add(7*time.Hour))
		e.tick(t, freqDay(n).Add(8*time.Hour+30*time.Second))
		e.add(t, freqDay(n).Add(10*time.Hour))
	}
}

// build builds the digest of cadence due at slot n days after monday at
// 08:00, with the clock at at.
func (e *freqEnv) build(t *testing.T, cadence string, n int, at time.Time) {
	t.Helper()
	e.clock = at
	task, _ := queue.NewDigestBuildTask(queue.DigestBuildPayload{List: "news", Cadence: cadence, Slot: freqDay(n).Add(8 * time.Hour)})
	if err := e.svc.HandleDigestBuild(context.Background(), task); err != nil {
		t.Fatal(err)
	}
}

// switchVia changes the frequency of email at at, through the preferences
// page, the admin and API update, or SQL as any other writer would.
func (e *freqEnv) switchVia(t *testing.T, via, email, frequency string, at time.Time) {
	t.Helper()
	e.clock = at
	ctx := context.Background()
	var id int64
	if err := e.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = ?`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	store := subscribers.NewStore(e.db)
	var err error
	switch via {
	case "preferences":
		err = store.SetPreferences(ctx, id, subscribers.Preferences{Name: "Reader", Frequency: frequency, Lists: []string{"news"}})
	case "admin":
		_, err = store.Update(ctx, id, &subscribers.Patch{Frequency: &frequency})
	case "sql":
		e.exec(t, `UPDATE subscribers SET frequency = ? WHERE id = ?`, frequency, id)
	default:
		t.Fatalf("no way %q to change a frequency", via)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// onceEach fails t unless each of emails got every article out by the
// clock's time exactly once.
func (e *freqEnv) onceEach(t *testing.T, emails ...string) {
	t.Helper()
	for _, email := range emails {
		var wrong []string
		for _, a := range e.articles {
			if a.at.After(e.clock) {
				continue
			}
			if n := e.got(t, email, a.title); n != 1 {
				wrong = append(wrong, fmt.Sprintf("%s (%s) %d times", a.title, a.at.Format("Mon 2 15:04"), n))
			}
		}
		if len(wrong) > 0 {
			t.Errorf("%s got %s; want every article once", email, strings.Join(wrong, ", "))
		}
	}
}

// note is what the preferences page of email says of news's digests.
func (e *freqEnv) note(t *testing.T, email string) string {
	t.Helper()
	var id int64
	if err := e.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = ?`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, choices, err := subscribers.NewStore(e.db).PreferencesOf(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range choices {
		if c.Slug == "news" {
			return c.FrequencyNote
		}
	}
	t.Fatal("news is not on the preferences page")
	return ""
}

// A weekly reader who turns daily on a Wednesday gets, with Thursday's
// daily digest, what came since Monday's round-up, then the daily digests
// and no more round-ups: every article once over two weeks.
func TestFrequencyWeeklyToDailyMidWeek(t *testing.T) {
	e := newFreqEnv(t, "daily")
	e.reader(t, "s@x.example", "confirmed", "weekly", e.news)
	e.days(t, 0, 3) // Monday to Wednesday
	e.switchVia(t, "preferences", "s@x.example", "daily", freqDay(2).Add(12*time.Hour))
	if got := e.note(t, "s@x.example"); !strings.Contains(got, "daily from its next digest, which brings the stories you have not had yet") {
		t.Errorf("preferences after the change say %q, want when it takes effect", got)
	}
	e.days(t, 3, 4) // Thursday
	if got := e.note(t, "s@x.example"); got != "" {
		t.Errorf("preferences once the change took effect say %q, want nothing", got)
	}
	e.days(t, 4, 14)
	e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
	e.onceEach(t, "s@x.example", "d@x.example", "w@x.example")
}

// A daily reader who turns weekly on a Wednesday gets the daily digests
// until the next round-up and the round-ups from there: every article once
// over two weeks.
func TestFrequencyDailyToWeeklyMidWeek(t *testing.T) {
	e := newFreqEnv(t, "daily")
	e.reader(t, "s@x.example", "confirmed", "daily", e.news)
	e.days(t, 0, 3)
	e.switchVia(t, "admin", "s@x.example", "weekly", freqDay(2).Add(12*time.Hour))
	if got := e.note(t, "s@x.example"); !strings.Contains(got, "until its next weekly round-up (Mondays)") {
		t.Errorf("preferences after the change say %q, want when it takes effect", got)
	}
	e.days(t, 3, 7)
	if n := e.got(t, "s@x.example", e.articles[len(e.articles)-2].title); n != 1 {
		t.Errorf("Sunday's article in %d digests to the reader by Sunday, want 1: the dailies go on until the round-up", n)
	}
	e.days(t, 7, 14)
	e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
	e.onceEach(t, "s@x.example", "d@x.example", "w@x.example")
	if got := e.note(t, "s@x.example"); got != "" {
		t.Errorf("preferences once the change took effect say %q, want nothing", got)
	}
}

// A reader who changes frequency and changes it back misses nothing and
// gets nothing twice, whether a digest of the new frequency went out in
// between or not, and whether a digest of another list was built in
// between or not.
func TestFrequencySwitchedTwiceInAWeek(t *testing.T) {
	for _, tt := range []struct {
		name       string
		from, to   string
		back       int  // the day of the change back, at 18:00
		otherBuild bool // another list's digest is built between the changes
	}{
		{"weekly, daily, weekly a day later", "weekly", "daily", 3, false},
		{"daily, weekly, daily a day later", "daily", "weekly", 3, false},
		{"weekly, daily, weekly the same day", "weekly", "daily", 2, true},
		{"daily, weekly, daily the same day", "daily", "weekly", 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newFreqEnv(t, "daily")
			e.reader(t, "s@x.example", "confirmed", tt.from, e.news)
			sport := e.listAt(t, "sport", "weekly", 8, "monday", "UTC")
			e.reader(t, "sport@x.example", "confirmed", "daily", sport)
			e.days(t, 0, 3)
			e.switchVia(t, "preferences", "s@x.example", tt.to, freqDay(2).Add(12*time.Hour))
			if tt.otherBuild {
				e.articleAt(t, sport, "Regatta", freqDay(2).Add(13*time.Hour))
				e.clock = freqDay(2).Add(14 * time.Hour)
				if _, err := e.svc.RunDigest(context.Background(), "sport"); err != nil {
					t.Fatal(err)
				}
			}
			e.days(t, 3, tt.back+1)
			e.switchVia(t, "sql", "s@x.example", tt.from, freqDay(tt.back).Add(18*time.Hour))
			if got := e.note(t, "s@x.example"); got != "" && tt.back == 2 {
				t.Errorf("preferences after changing back at once say %q, want nothing", got)
			}
			e.days(t, tt.back+1, 14)
			e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
			e.onceEach(t, "s@x.example", "d@x.example", "w@x.example")
		})
	}
}

// On the round-up's day, the daily digest and the round-up are two
// builds, in either order, and an article may come between them. A reader
// who changes frequency that day, before both or after both, misses
// nothing and gets nothing twice.
func TestFrequencySwitchOnTheRoundUpDay(t *testing.T) {
	for _, when := range []string{"before", "after"} {
		for _, first := range []string{"daily", "weekly"} {
			for _, to := range []string{"daily", "weekly"} {
				from := map[string]string{"daily": "weekly", "weekly": "daily"}[to]
				t.Run(fmt.Sprintf("%s to %s %s the builds, %s first", from, to, when, first), func(t *testing.T) {
					e := newFreqEnv(t, "daily")
					e.reader(t, "s@x.example", "confirmed", from, e.news)
					e.days(t, 0, 7)
					if when == "before" {
						e.switchVia(t, "admin", "s@x.example", to, freqDay(7).Add(7*time.Hour+30*time.Minute))
					}
					e.add(t, freqDay(7).Add(7*time.Hour))
					second := map[string]string{"daily": "weekly", "weekly": "daily"}[first]
					e.build(t, first, 7, freqDay(7).Add(8*time.Hour+30*time.Second))
					e.add(t, freqDay(7).Add(8*time.Hour+time.Minute))
					e.build(t, second, 7, freqDay(7).Add(8*time.Hour+2*time.Minute))
					if when == "after" {
						e.switchVia(t, "admin", "s@x.example", to, freqDay(7).Add(9*time.Hour))
					}
					e.add(t, freqDay(7).Add(10*time.Hour))
					e.days(t, 8, 14)
					e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
					e.onceEach(t, "s@x.example", "d@x.example", "w@x.example")
				})
			}
		}
	}
}

// A reader who signs up in the middle of the week changes nothing: a
// weekly one gets the next round-up, of the whole week, a daily one the
// next daily digest, and neither gets any other digest.
func TestFrequencyReaderWhoJoinsMidWeek(t *testing.T) {
	e := newFreqEnv(t, "daily")
	e.days(t, 0, 3)
	e.reader(t, "jw@x.example", "confirmed", "weekly", e.news)
	e.reader(t, "jd@x.example", "confirmed", "daily", e.news)
	e.days(t, 3, 4) // Thursday
	if n, m := e.digestsTo(t, "jw@x.example"), e.digestsTo(t, "jd@x.example"); n != 0 || m != 1 {
		t.Errorf("by Thursday %d digests to the weekly joiner and %d to the daily one, want 0 and 1", n, m)
	}
	if n := e.got(t, "jd@x.example", e.articles[5].title); n != 1 { // Wednesday 10:00
		t.Errorf("the daily joiner got Wednesday's 10:00 article in %d digests, want 1", n)
	}
	e.days(t, 4, 7)
	e.tick(t, freqDay(7).Add(8*time.Hour+30*time.Second))
	if n := e.digestsTo(t, "jw@x.example"); n != 1 {
		t.Errorf("%d digests to the weekly joiner by the round-up, want 1", n)
	}
	for _, a := range e.articles[1:] { // all but Monday's first, in Monday's round-up
		if n := e.got(t, "jw@x.example", a.title); n != 1 {
			t.Errorf("the weekly joiner got %s in %d digests, want 1", a.title, n)
		}
	}
	if n := e.digestsTo(t, "jd@x.example"); n != 5 {
		t.Errorf("%d digests to the daily joiner by the next Monday, want 5, Thursday's to Monday's", n)
	}
}

// On a weekly list every reader gets the one weekly digest, whatever
// their frequency: a change of it changes nothing, and leaves nothing
// behind when the list becomes daily later.
func TestFrequencySwitchOnAWeeklyList(t *testing.T) {
	e := newFreqEnv(t, "weekly")
	e.reader(t, "a@x.example", "confirmed", "daily", e.news)
	e.reader(t, "b@x.example", "confirmed", "weekly", e.news)
	e.days(t, 0, 3)
	e.switchVia(t, "preferences", "a@x.example", "weekly", freqDay(2).Add(12*time.Hour))
	e.switchVia(t, "preferences", "b@x.example", "daily", freqDay(2).Add(12*time.Hour))
	if got := e.note(t, "a@x.example") + e.note(t, "b@x.example"); got != "" {
		t.Errorf("preferences on a weekly list say %q, want nothing", got)
	}
	before := switchLastDigest(t, e.schedEnv)
	e.days(t, 3, 8)
	if made := switchDigestsAfter(t, e.schedEnv, before); len(made) != 1 {
		t.Errorf("the weekly digest after the changes is %d digests, want 1", len(made))
	}
	e.onceEach(t, "a@x.example", "b@x.example", "d@x.example", "w@x.example")
	var left int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM subscriptions WHERE stream IS NOT NULL`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d readers between windows after the weekly digest, want none", left)
	}

	// Made daily, the list mails each reader by their frequency, from the
	// last weekly digest.
	e.clock = freqDay(8).Add(12 * time.Hour)
	switchDigest(t, e.schedEnv, "news", "daily")
	e.days(t, 9, 14)
	e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
	e.onceEach(t, "a@x.example", "b@x.example", "d@x.example", "w@x.example")
	if n, m := e.digestsTo(t, "a@x.example"), e.digestsTo(t, "b@x.example"); n != 3 || m != 8 {
		t.Errorf("%d digests to the reader now weekly, %d to the one now daily; want 3 (weekly) and 8 (2 weekly, 6 daily)", n, m)
	}
}

// A reader who changes frequency on a daily list that then becomes weekly
// gets the list's first weekly digest from where their own window ended.
func TestFrequencySwitchThenTheListLeavesDaily(t *testing.T) {
	for _, to := range []string{"daily", "weekly"} {
		t.Run("to "+to, func(t *testing.T) {
			e := newFreqEnv(t, "daily")
			from := map[string]string{"daily": "weekly", "weekly": "daily"}[to]
			e.reader(t, "s@x.example", "confirmed", from, e.news)
			e.days(t, 0, 3)
			e.switchVia(t, "admin", "s@x.example", to, freqDay(2).Add(12*time.Hour))
			e.clock = freqDay(3).Add(12 * time.Hour)
			switchDigest(t, e.schedEnv, "news", "weekly")
			e.days(t, 4, 14)
			e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
			e.onceEach(t, "s@x.example", "d@x.example", "w@x.example")
		})
	}
}

// An article out only later is held by each window until its time. A
// reader who changes frequency meanwhile gets it once, whether it comes
// out before their change takes effect or after.
func TestFrequencySwitchWithAnArticleHeldForLater(t *testing.T) {
	for _, out := range []int{4, 9} { // Friday, or the next Wednesday
		for _, to := range []string{"daily", "weekly"} {
			from := map[string]string{"daily": "weekly", "weekly": "daily"}[to]
			t.Run(fmt.Sprintf("%s to %s, out on day %d", from, to, out), func(t *testing.T) {
				e := newFreqEnv(t, "daily")
				e.reader(t, "s@x.example", "confirmed", from, e.news)
				e.days(t, 0, 2)
				e.add(t, freqDay(out).Add(12*time.Hour)) // linked on Tuesday
				e.days(t, 2, 3)
				e.switchVia(t, "preferences", "s@x.example", to, freqDay(2).Add(12*time.Hour))
				e.days(t, 3, 14)
				e.tick(t, freqDay(14).Add(8*time.Hour+30*time.Second))
				e.onceEach(t, "s@x.example", "d@x.example", "w@x.example")
			})
		}
	}
}
