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

// nextDaily is the first time at the schedule's hour after now.
func (sc schedule) nextDaily(now time.Time) time.Time {
	y, m, d := now.In(sc.loc).Date()
	slot := sc.at(y, m, d)
	if !slot.After(now) {
		slot = sc.at(y, m, d+1)
	}
	return slot
}

// nextWeekly is the first weekday at the schedule's hour after now.
func (sc schedule) nextWeekly(now time.Time) time.Time {
	daily := sc.nextDaily(now)
	y, m, d := daily.Date()
	ahead := (int(sc.weekday) - int(daily.Weekday()) + 7) % 7
	return sc.at(y, m, d+ahead)
}
