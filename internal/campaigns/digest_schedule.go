package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	_ "time/tzdata" // lists name IANA zones; the binary must know them without /usr/share/zoneinfo

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// WeeklyDay is the day weekly digests go out on when a list names none.
const WeeklyDay = time.Monday

// A schedule is when a list's digests fall: at hour in loc every day, and
// on weekday for the weekly ones.
type schedule struct {
	hour    int
	weekday time.Weekday
	loc     *time.Location
}

// at is hour o'clock on the given day in the schedule's zone. Going from
// the date each time, never adding 24 hours, keeps the hour local across
// DST changes. An hour the change skips becomes the instant the clocks
// jump, on that same day: time.Date alone gives the hour after east of
// UTC but the hour before west of it, which for a change at midnight
// (Santiago, Havana, Asunción) is 23:00 the day before.
func (sc schedule) at(year int, month time.Month, day int) time.Time {
	t := time.Date(year, month, day, sc.hour, 0, 0, 0, sc.loc)
	want := time.Date(year, month, day, sc.hour, 0, 0, 0, time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	// In a skipped hour t lies in the zone of before the change (west)
	// or of after it (east): the jump is where that zone ends or begins.
	start, end := t.ZoneBounds()
	switch {
	case got.Before(want):
		return end
	case got.After(want):
		return start
	}
	return t
}

// weekdayOf is the weekday of a calendar date. Slots count days on the
// calendar, not from the instants at() gives, which a skipped hour may
// move.
func weekdayOf(year int, month time.Month, day int) time.Weekday {
	return time.Date(year, month, day, 12, 0, 0, 0, time.UTC).Weekday()
}

// lastDay is the date, in the schedule's zone, of the latest time at the
// schedule's hour not after now. The day may be 0 or less; time.Date
// takes it as a day of the month before.
func (sc schedule) lastDay(now time.Time) (year int, month time.Month, day int) {
	year, month, day = now.In(sc.loc).Date()
	if sc.at(year, month, day).After(now) {
		day--
	}
	return year, month, day
}

// dailySlot is the latest time at the schedule's hour not after now.
func (sc schedule) dailySlot(now time.Time) time.Time {
	return sc.at(sc.lastDay(now)).UTC()
}

// date is the calendar date of t in the schedule's zone, at 00:00 UTC so
// that dates compare as times.
func (sc schedule) date(t time.Time) time.Time {
	y, m, d := t.In(sc.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// weeklySlot is the latest weekday at the schedule's hour not after now.
func (sc schedule) weeklySlot(now time.Time) time.Time {
	y, m, d := sc.lastDay(now)
	back := (int(weekdayOf(y, m, d)) - int(sc.weekday) + 7) % 7
	return sc.at(y, m, d-back).UTC()
}

// weekdays maps the names lists store to days.
var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// newSchedule reads a list's stored schedule. A zone this binary does not
// know (the list was saved by a newer one) counts as UTC rather than
// stopping every other list's digest; the list's form refuses such zones.
func (s *Service) newSchedule(slug string, hour int, weekday, zone string) schedule {
	sc, ok := scheduleOf(hour, weekday, zone)
	if !ok {
		s.log().Warn("digest schedule: unknown time zone, using UTC", "list", slug, "timezone", zone)
	}
	return sc
}

// scheduleOf is the schedule of hour, weekday and zone as lists store
// them; ok is false when the zone is unknown and UTC stands in for it.
func scheduleOf(hour int, weekday, zone string) (sc schedule, ok bool) {
	sc = schedule{hour: hour, weekday: WeeklyDay}
	if d, ok := weekdays[weekday]; ok {
		sc.weekday = d
	}
	sc.loc, ok = zoneOf(zone)
	return sc, ok
}

// zoneOf is the location of a zone as lists store it; ok is false when
// the zone is unknown and UTC stands in for it.
func zoneOf(zone string) (loc *time.Location, ok bool) {
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" || zone == "Local" {
		return time.UTC, false
	}
	return loc, true
}

// DueDigests returns the digests due at now: for each list with a
// schedule, each cadence whose latest slot falls on a later date than the
// slot its last scheduled digest served (or, before its first, after the
// list was made). Slots fall at each list's own hour, weekday and time
// zone. A digest run by hand serves no slot (see Digest): the day's
// scheduled one still goes out, with what came since.
func (s *Service) DueDigests(ctx context.Context, now time.Time) ([]queue.DigestBuildPayload, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, slug, digest, digest_hour, digest_weekday, timezone, created_at
		FROM lists WHERE digest <> 'off' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("due digests: %w", err)
	}
	type row struct {
		l             digestList
		hour          int
		weekday, zone string
	}
	var lists []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.l.id, &r.l.slug, &r.l.digest, &r.hour, &r.weekday, &r.zone, &r.l.createdAt); err != nil {
			rows.Close()
			return nil, err
		}
		lists = append(lists, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var due []queue.DigestBuildPayload
	for _, r := range lists {
		sc := s.newSchedule(r.l.slug, r.hour, r.weekday, r.zone)
		cadences := []string{CadenceWeekly}
		if r.l.digest == CadenceDaily {
			cadences = []string{CadenceDaily, CadenceWeekly}
		}
		for _, c := range cadences {
			slot := sc.dailySlot(now)
			if c == CadenceWeekly {
				slot = sc.weeklySlot(now)
			}
			_, table := r.l.audience(c)
			m, err := readMark(ctx, s.db.Read, table, r.l.id)
			if err != nil {
				return nil, err
			}
			if sc.due(slot, m, r.l.createdAt) {
				due = append(due, queue.DigestBuildPayload{List: r.l.slug, Cadence: c, Slot: slot})
			}
		}
	}
	return due, nil
}

// due reports whether slot is due to a window with mark m, of a list made
// at created. A scheduled digest goes out once a day, or once a week from
// its weekday, in the list's zone: one that served a slot on this slot's
// date or later is this day's or week's, though it went out at an hour or
// in a zone the list has left since, and a second would mail its readers
// twice in the day or week. Before the window's first, a slot after the
// list was made is due. A run by hand does not count: it moves the mark's
// time, not its slot.
func (sc schedule) due(slot time.Time, m mark, created time.Time) bool {
	if m.slot.IsZero() {
		return created.Before(slot)
	}
	return sc.date(m.slot).Before(sc.date(slot))
}

// HandleDigestTick handles digest:tick: it queues a digest:build for each
// digest due now.
func (s *Service) HandleDigestTick(ctx context.Context, t *asynq.Task) error {
	due, err := s.DueDigests(ctx, s.now())
	if err != nil {
		return err
	}
	for _, p := range due {
		task, opts := queue.NewDigestBuildTask(p)
		if err := queue.EnqueueUnique(ctx, s.Queue, task, opts...); err != nil {
			return fmt.Errorf("enqueue digest:build: %w", err)
		}
	}
	return nil
}

// HandleDigestBuild handles digest:build: it builds the digest and starts
// sending it, unless it was built already for its slot.
func (s *Service) HandleDigestBuild(ctx context.Context, t *asynq.Task) error {
	var p queue.DigestBuildPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Slot.IsZero() {
		return fmt.Errorf("decode digest:build: %v: %w", err, asynq.SkipRetry)
	}
	d, err := s.buildDigest(ctx, p.List, p.Cadence, p.Slot)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		return nil // the list is gone
	} else if err != nil {
		return err
	}
	if d != nil {
		s.log().Info("digest", "list", p.List, "cadence", p.Cadence, "campaign", d.ID, "articles", d.Articles, "recipients", d.Recipients)
	}
	return nil
}
