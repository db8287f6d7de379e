package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/subscribers"
)

// digestsPage shows when each list's digest goes out next and the digests
// sent so far.
type digestsPage struct {
	adminPage
	Lists []digestSchedule
	Past  []pastDigest
}

// A digestSchedule is one list with digests on, as the page shows it.
type digestSchedule struct {
	Slug, Name string
	Schedule   string // "Weekly, Saturday 07:00 Europe/Paris"
	Next       string // in the list's zone
	Roundup    string // a daily list's next weekly round-up, for its weekly readers
	// ZoneWarning says why the list's zone, a fixed offset saved before
	// those were refused, misses its place's summer time; "" for a place
	// name or UTC (subscribers.FixedZoneProblem).
	ZoneWarning string
}

// A pastDigest is a digest sent, with the names of its lists: an editor
// knows a list as "Daily News" rather than daily-news.
type pastDigest struct {
	campaigns.Entry
	Names []string
}

// nextLayout shows a next run with its weekday and zone abbreviation.
const nextLayout = "Monday 2 January 2006, 15:04 MST"

// digestsPage answers GET /admin/digests.
func (s *Server) digestsPage(w http.ResponseWriter, r *http.Request) {
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p := &digestsPage{}
	names := make(map[string]string, len(lists))
	for _, l := range lists {
		names[l.Slug] = l.Name
		if l.Digest == campaigns.CadenceDaily || l.Digest == campaigns.CadenceWeekly {
			ds, err := s.scheduleOf(r.Context(), l)
			if err != nil {
				s.adminError(w, r, err)
				return
			}
			p.Lists = append(p.Lists, ds)
		}
	}
	if s.Campaigns != nil {
		past, err := s.Campaigns.Recent(r.Context(), "digest", recentDigests)
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		p.Past = namedDigests(past, names)
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_digests", p)
}

// scheduleOf is l's digest schedule and next runs, in its zone; a list
// with digests off has none. The next runs are those the scheduler will
// send (campaigns' NextScheduled): a day or week whose digest went out
// already, at an hour or in a zone the list has left since, has none
// again; a digest sent by hand changes nothing.
func (s *Server) scheduleOf(ctx context.Context, l *subscribers.List) (digestSchedule, error) {
	ds := digestSchedule{Slug: l.Slug, Name: l.Name}
	if l.Digest != campaigns.CadenceDaily && l.Digest != campaigns.CadenceWeekly {
		ds.Schedule = "Off: sent only by hand"
		return ds, nil
	}
	zone := l.Timezone
	if zone == "" {
		zone = "UTC"
	}
	ds.ZoneWarning = subscribers.FixedZoneProblem(zone)
	now := time.Now()
	next := func(cadence string) (time.Time, error) {
		if s.Campaigns == nil {
			return campaigns.NextDigest(now, cadence, l.DigestHour, l.DigestWeekday, zone), nil
		}
		return s.Campaigns.NextScheduled(ctx, l.Slug, cadence, now)
	}
	own, err := next(l.Digest)
	if err != nil {
		return ds, err
	}
	weekly, err := next(campaigns.CadenceWeekly)
	if err != nil {
		return ds, err
	}
	ds.Next = own.Format(nextLayout)
	if l.Digest == campaigns.CadenceWeekly {
		ds.Schedule = fmt.Sprintf("Weekly, %s %02d:00 %s", weekly.Weekday(), l.DigestHour, zone)
	} else {
		ds.Schedule = fmt.Sprintf("Daily %02d:00 %s", l.DigestHour, zone)
		ds.Roundup = weekly.Format(nextLayout)
	}
	return ds, nil
}

// namedDigests gives each digest of past the names of its lists; a list
// deleted since keeps its slug.
func namedDigests(past []campaigns.Entry, names map[string]string) []pastDigest {
	out := make([]pastDigest, len(past))
	for i, e := range past {
		out[i].Entry = e
		for _, slug := range e.Lists {
			name := names[slug]
			if name == "" {
				name = slug
			}
			out[i].Names = append(out[i].Names, name)
		}
	}
	return out
}
