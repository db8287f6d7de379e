package campaigns

import (
	"context"
	"time"
)

// NextDigest returns when a list's next digest of cadence (daily or
// weekly) falls after now, in the list's zone: hour o'clock each day, or
// on weekday (WeeklyDay when it names none) for weekly ones. It follows
// the slots DueDigests uses, so the hour stays local across DST changes,
// and a zone this binary does not know counts as UTC, as it does there.
// A slot due but not yet built is not "next": it goes out at the next tick.
// It knows nothing of the digests built: NextScheduled does.
func NextDigest(now time.Time, cadence string, hour int, weekday, zone string) time.Time {
	sc, _ := scheduleOf(hour, weekday, zone)
	return sc.next(now, cadence, mark{}, time.Time{})
}

// NextScheduled is NextDigest for the list slug as it stands: its
// schedule, and the slot its last scheduled digest of cadence served
// (DueDigests). A day (or week) whose digest went out already, at an hour
// or in a zone the list has left since, has none again, so the next run is
// a day (or week) later; a digest run by hand changes nothing, as the
// schedule goes on as before. The time is in the list's zone. For a list
// that does not send digests of cadence, it is NextDigest's.
func (s *Service) NextScheduled(ctx context.Context, slug, cadence string, now time.Time) (time.Time, error) {
	l, err := s.digestList(ctx, s.db.Read, slug)
	if err != nil {
		return time.Time{}, err
	}
	var hour int
	var weekday string
	if err := s.db.Read.QueryRowContext(ctx, `SELECT digest_hour, digest_weekday FROM lists WHERE id = ?`, l.id).Scan(&hour, &weekday); err != nil {
		return time.Time{}, err
	}
	sc, _ := scheduleOf(hour, weekday, l.zone)
	var m mark
	if l.schedules(cadence) {
		_, table := l.audience(cadence)
		if m, err = readMark(ctx, s.db.Read, table, l.id); err != nil {
			return time.Time{}, err
		}
	}
	return sc.next(now, cadence, m, l.createdAt), nil
}

// next is the first slot of cadence after now that will be due (see due)
// to the window with mark m of a list made at created.
func (sc schedule) next(now time.Time, cadence string, m mark, created time.Time) time.Time {
	for {
		var slot time.Time
		if cadence == CadenceWeekly {
			slot = sc.nextWeekly(now)
		} else {
			slot = sc.nextDaily(now)
		}
		if sc.due(slot, m, created) {
			return slot
		}
		now = slot
	}
}

// nextDay is the date, in the schedule's zone, of the first time at the
// schedule's hour after now. The day may be past the month's last;
// time.Date takes it as a day of the month after.
func (sc schedule) nextDay(now time.Time) (year int, month time.Month, day int) {
	year, month, day = now.In(sc.loc).Date()
	if !sc.at(year, month, day).After(now) {
		day++
	}
	return year, month, day
}

// nextDaily is the first time at the schedule's hour after now.
func (sc schedule) nextDaily(now time.Time) time.Time {
	return sc.at(sc.nextDay(now))
}

// nextWeekly is the first weekday at the schedule's hour after now.
func (sc schedule) nextWeekly(now time.Time) time.Time {
	y, m, d := sc.nextDay(now)
	ahead := (int(sc.weekday) - int(weekdayOf(y, m, d)) + 7) % 7
	return sc.at(y, m, d+ahead)
}
