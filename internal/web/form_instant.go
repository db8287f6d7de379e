package web

import "time"

// A datetime-local field shows an instant as a local time to the minute,
// which is not always enough to get the instant back: the seconds are
// dropped, and a local time the clocks go back past happens twice, of
// which reading it again takes one (the second, as Go's time.Date does).
// So a form that shows a stored instant also carries it, in a hidden
// field (keptField), and a save takes it back when the local time posted
// is still the one shown: the form saved unchanged keeps the instant
// stored. A local time typed anew is read as it always was.

// keptInstant is t in a form's hidden field: RFC 3339 in UTC, to the
// nanosecond.
func keptInstant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// keptOr is the instant the form meant by local, its datetime-local
// field read in loc as read: kept, the instant the form showed (its
// hidden field, keptInstant), when local is still that instant's local
// time in loc, else read.
func keptOr(read time.Time, kept, local string, loc *time.Location) time.Time {
	if kept == "" || loc == nil {
		return read
	}
	k, err := time.Parse(time.RFC3339Nano, kept)
	if err != nil || k.In(loc).Format(formTime) != local {
		return read
	}
	return k.UTC()
}

// parseLocal reads value, laid out as layout, as a local time in loc. A
// local time the clocks go back past names two instants, and Go's
// time.Date leaves the choice open (it takes the first in zones west of
// UTC, the second east of it): parseLocal takes the second, in every
// zone, as the forms say. A time the clocks skip is read as Go reads it,
// for the caller to refuse (its local time is then not value).
func parseLocal(layout, value string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(layout, value, loc)
	if err != nil {
		return t, err
	}
	const wall = "2006-01-02T15:04:05.999999999"
	local := t.In(loc).Format(wall)
	// The clocks go back by an hour, in a few zones by half of one or
	// by two.
	for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if later := t.Add(d); later.In(loc).Format(wall) == local {
			return later, nil
		}
	}
	return t, nil
}
