package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// digestsPage shows when each list's digest goes out next and the digests
// sent so far.
type digestsPage struct {
	adminPage
	Lists []digestSchedule
	Past  []campaigns.Entry
}

// A digestSchedule is one list with digests on, as the page shows it.
type digestSchedule struct {
	Slug, Name string
	Schedule   string // "Weekly, Saturday 07:00 Europe/Paris"
	Next       string // in the list's zone
	Roundup    string // a daily list's next weekly round-up, for its weekly readers
}

// nextLayout shows a next run with its weekday and zone abbreviation.
const nextLayout = "Monday 2 January 2006, 15:04 MST"

func (s *Server) digestsPage(w http.ResponseWriter, r *http.Request) {
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p := &digestsPage{}
	now := time.Now()
	for _, l := range lists {
		if l.Digest != campaigns.CadenceDaily && l.Digest != campaigns.CadenceWeekly {
			continue
		}
		zone := l.Timezone
		if zone == "" {
			zone = "UTC"
		}
		ds := digestSchedule{Slug: l.Slug, Name: l.Name,
			Next: campaigns.NextDigest(now, l.Digest, l.DigestHour, l.DigestWeekday, zone).Format(nextLayout)}
		weekly := campaigns.NextDigest(now, campaigns.CadenceWeekly, l.DigestHour, l.DigestWeekday, zone)
		if l.Digest == campaigns.CadenceWeekly {
			ds.Schedule = fmt.Sprintf("Weekly, %s %02d:00 %s", weekly.Weekday(), l.DigestHour, zone)
		} else {
			ds.Schedule = fmt.Sprintf("Daily %02d:00 %s", l.DigestHour, zone)
			ds.Roundup = weekly.Format(nextLayout)
		}
		p.Lists = append(p.Lists, ds)
	}
	if s.Campaigns != nil {
		if p.Past, err = s.Campaigns.Recent(r.Context(), "digest", 100); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_digests", p)
}
