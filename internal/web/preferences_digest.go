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
	Daily, Weekly labelRuns
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
	o.Daily = choiceLabel("Daily", daily, func(l *subscribers.List) labelRuns {
		return append(labelRuns{{Text: "at "}}, digestTimeRuns(l.DigestHour, l.Timezone)...)
	})
	o.Weekly = choiceLabel("Weekly", daily, func(l *subscribers.List) labelRuns {
		return append(labelRuns{{Text: "on " + weekdays(l.DigestWeekday) + " at "}}, digestTimeRuns(l.DigestHour, l.Timezone)...)
	})
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
func choiceLabel(name string, daily []*subscribers.List, when func(*subscribers.List) labelRuns) labelRuns {
	each := labelRuns{{Text: name + ": "}}
	same := true
	for i, l := range daily {
		if i > 0 {
			each = append(each, labelRun{Text: ", "})
		}
		each = append(append(each, labelRun{Text: l.Name + " "}), when(l)...)
		same = same && when(l).String() == when(daily[0]).String()
	}
	if same {
		return append(labelRuns{{Text: name + ", "}}, when(daily[0])...)
	}
	return each
}

// labelRuns are a digest choice's label in runs of text, each plain words
// or a time zone's name. The page keeps a zone's name whole, but for a
// break after each "/": a label wraps between words, and on a phone
// "America/Argentina/Buenos Aires" broke as "Bueno" and "s Aires", and
// "America/North Dakota/New Salem" between "North" and "Dakota".
type labelRuns []labelRun

// A labelRun is words (Text) or a time zone's name (Zone, zoneParts).
type labelRun struct {
	Text string
	Zone []string
}

// String is the label's text, as a reader reads it.
func (rs labelRuns) String() string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text)
		for _, p := range r.Zone {
			b.WriteString(p)
		}
	}
	return b.String()
}

// zoneParts cuts a time zone's name after each "/", where the page may
// break it: "America/", "Argentina/", "Buenos Aires".
func zoneParts(zone string) []string {
	return strings.SplitAfter(zone, "/")
}

// listNames is "A", "A and B" or "A, B and C".
func listNames(ls []*subscribers.List) string {
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	return prose.And(names)
}
