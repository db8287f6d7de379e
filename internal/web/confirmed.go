package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A confirmedList is a list the page a confirmation link opens names:
// the reader now gets it.
type confirmedList struct {
	Name string
	// Digest says when its digests come to this reader (readerDigest);
	// "" on a list that sends none.
	Digest string
	// NoDigest says the list sends no digest, only the mails its editors
	// write: the page says so, where a list named alone left the reader
	// to wonder what comes. False when the lists could not be read.
	NoDigest bool
}

// confirmedLists are the lists reader sub is now on, each with when its
// digests come, and the notes of a change of frequency still to take
// effect. A reader who just confirmed is told what to expect in their
// inbox and when, without a visit to their preferences page. When the
// lists cannot be read the page names the slugs, as it can still say the
// rest.
func (s *Server) confirmedLists(r *http.Request, sub *subscribers.Subscriber) ([]confirmedList, []string) {
	out := make([]confirmedList, 0, len(sub.Lists))
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.Log.Error("confirmed page: lists", "err", err)
		for _, slug := range sub.Lists {
			out = append(out, confirmedList{Name: slug})
		}
		return out, nil
	}
	bySlug := make(map[string]*subscribers.List, len(lists))
	for _, l := range lists {
		bySlug[l.Slug] = l
	}
	for _, slug := range sub.Lists {
		l, ok := bySlug[slug]
		if !ok { // deleted since the reader's lists were read
			continue
		}
		d := readerDigest(l, sub.Frequency)
		out = append(out, confirmedList{Name: l.Name, Digest: d, NoDigest: d == ""})
	}
	notes, err := s.Subscribers.FrequencyNotes(r.Context(), sub.ID)
	if err != nil {
		s.Log.Error("confirmed page: frequency notes", "err", err)
	}
	return out, notes
}

// readerDigest says when list l's digests come to a reader whose
// frequency is frequency, as the list's settings have them: "a digest of
// new stories every day at 07:00 UTC", "a digest of new stories every
// Saturday at 09:00 (Europe/Paris time)". A daily list sends the readers
// who chose weekly a round-up on its weekday instead (campaigns'
// inWindow); a weekly list sends one digest to all. It is "" for a list
// without digests.
func readerDigest(l *subscribers.List, frequency string) string {
	at := digestTime(l.DigestHour, l.Timezone)
	day := "Monday" // the column's default
	if l.DigestWeekday != "" {
		day = strings.ToUpper(l.DigestWeekday[:1]) + l.DigestWeekday[1:]
	}
	switch {
	case l.Digest == "daily" && frequency == "weekly":
		return "a weekly round-up of new stories every " + day + " at " + at
	case l.Digest == "daily":
		return "a digest of new stories every day at " + at
	case l.Digest == "weekly":
		return "a digest of new stories every " + day + " at " + at
	}
	return ""
}

// digestTime is a digest's hour in its zone, as a reader anywhere can
// read it: "07:00 UTC", "09:00 (America/New York time)".
func digestTime(hour int, zone string) string {
	return digestTimeRuns(hour, zone).String()
}

// digestTimeRuns is digestTime in runs, its zone's name apart, as the
// preferences page shows it (labelRuns).
func digestTimeRuns(hour int, zone string) labelRuns {
	at := fmt.Sprintf("%02d:00", hour)
	switch zone {
	case "", "UTC", "Etc/UTC":
		return labelRuns{{Text: at + " UTC"}}
	}
	return labelRuns{{Text: at + " ("}, {Zone: zoneParts(strings.ReplaceAll(zone, "_", " "))}, {Text: " time)"}}
}
