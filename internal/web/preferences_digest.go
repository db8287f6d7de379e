package web

import (
	"fmt"
	"strings"

	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A digestOffer is what the preferences page says of digests to one
// reader. Their frequency matters on a daily list only, which sends its
// daily digests to the readers who chose daily and a weekly round-up to
// the others; a weekly list sends its one digest to all its readers, and
// a list with digests off sends none (campaigns' inWindow). So the page
// offers daily or weekly whenever it shows a daily list, ticked or not:
// a reader ticking one again chooses its frequency in the same save. To
// a reader shown no daily list the choice would change nothing, and the
// page says what their weekly lists send instead.
type digestOffer struct {
	// Choose is whether the page offers daily or weekly.
	Choose bool
	// For names the daily lists the choice is for: "For Daily News.", or,
	// to a reader on none of them, "For Daily News, once you tick it."
	// The choice's group is described by it (aria-describedby).
	For string
	// Daily and Weekly label the choices, with when the digests come, as
	// the confirmation page says it (digestTime): "Daily, at 07:00
	// (Europe/London time)", "Weekly, on Mondays at 07:00 UTC".
	Daily, Weekly string
	// Fixed says what each weekly list the reader is on sends, which no
	// choice changes, one sentence a list. The page shows them apart from
	// the choice, outside its fieldset: under the daily lists' radios a
	// weekly list's schedule would read as theirs.
	Fixed []string
}

// offerDigest is the offer to a reader shown choices, whose lists, as
// stored, are the ticked ones.
func offerDigest(choices []subscribers.ListChoice) digestOffer {
	var o digestOffer
	var daily []*subscribers.List
	var onDaily bool
	for _, c := range choices {
		switch c.Digest {
		case "daily":
			daily = append(daily, c.List)
			onDaily = onDaily || c.Checked
		case "weekly":
			if c.Checked {
				o.Fixed = append(o.Fixed, fmt.Sprintf("%s: the weekly digest, sent on %s.", c.Name, weeklyAt(c.List)))
			}
		}
	}
	if len(daily) == 0 {
		return o
	}
	o.Choose = true
	o.Daily = choiceLabel("Daily", daily, func(l *subscribers.List) string { return "at " + digestTime(l.DigestHour, l.Timezone) })
	o.Weekly = choiceLabel("Weekly", daily, func(l *subscribers.List) string { return "on " + weeklyAt(l) })
	switch names := listNames(daily); {
	case onDaily:
		o.For = "For " + names + "."
	case len(daily) == 1:
		o.For = "For " + names + ", once you tick it above."
	default:
		o.For = "For " + names + ", once you tick one above."
	}
	return o
}

// refusal says why frequency, as posted, is not one the page offers the
// reader whose frequency is stored: daily or weekly when it offers the
// choice, else only their own, which the form carries unchanged. It is
// "" for a frequency offered. The offer is judged on every list the page
// shows, so on any the form may tick (SetPreferences refuses others): a
// form ticking a daily list may always choose daily or weekly, whether
// or not the reader was on it.
func (o digestOffer) refusal(frequency, stored string) string {
	switch {
	case o.Choose && (frequency == "daily" || frequency == "weekly"):
		return ""
	case o.Choose:
		return "choose daily or weekly"
	case frequency == stored:
		return ""
	}
	return "your lists have no digest frequency to choose, so nothing was saved"
}

// weekdays is "Mondays" for "monday"; the column's default for "".
func weekdays(day string) string {
	if day == "" {
		day = "monday"
	}
	return strings.ToUpper(day[:1]) + day[1:] + "s"
}

// weeklyAt is when list l sends its weekly digest, or, for a daily
// list, its weekly round-up: "Mondays at 07:00 UTC".
func weeklyAt(l *subscribers.List) string {
	return weekdays(l.DigestWeekday) + " at " + digestTime(l.DigestHour, l.Timezone)
}

// choiceLabel labels the choice called name with when the daily lists
// send it, when(l): "Weekly, on Mondays at 07:00 UTC", or, when the lists
// differ, "Weekly: Daily News on Mondays at 07:00 UTC, Port Log on
// Fridays at 18:00 (Europe/Paris time)".
func choiceLabel(name string, daily []*subscribers.List, when func(*subscribers.List) string) string {
	var each []string
	same := true
	for _, l := range daily {
		each = append(each, l.Name+" "+when(l))
		same = same && when(l) == when(daily[0])
	}
	if same {
		return name + ", " + when(daily[0])
	}
	return name + ": " + strings.Join(each, ", ")
}

// listNames is "A", "A and B" or "A, B and C".
func listNames(ls []*subscribers.List) string {
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	return prose.And(names)
}
