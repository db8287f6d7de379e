package campaigns

import "time"

// NextDigest returns when a list's next digest of cadence (daily or
// weekly) falls after now, in the list's zone: hour o'clock each day, or
// on weekday (WeeklyDay when it names none) for weekly ones. It follows
// the slots DueDigests uses, so the hour stays local across DST changes,
// and a zone this binary does not know counts as UTC, as it does there.
// A slot due but not yet built is not "next": it goes out at the next tick.
func NextDigest(now time.Time, cadence string, hour int, weekday, zone string) time.Time {
	sc, _ := scheduleOf(hour, weekday, zone)
	if cadence == CadenceWeekly {
		return sc.nextWeekly(now)
	}
	return sc.nextDaily(now)
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
