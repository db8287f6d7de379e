package web

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// digestSendPage is what "Send now" on /admin/digests leads to: the list,
// its schedule and its latest digest, what sending now would mail and to
// whom, with the button that builds and sends the digest (POST
// /admin/digests/{slug}/run). Showing it changes nothing, so the editor
// can look before sending to a whole list.
type digestSendPage struct {
	adminPage
	List digestSchedule
	// Latest is the list's newest digest among the recent ones, nil when
	// there is none there; None says the list has had no digest at all,
	// known only when the recent ones are all the digests there are.
	Latest    *campaigns.Entry
	None      bool
	FirstDays int // how far back a list's first digest looks
	// Preview is what a run would build now; Mails are its digests, each
	// with whom it goes to in words.
	Preview *campaigns.DigestPreview
	Mails   []digestMail
	// Readers is how many readers the run would mail, over its digests:
	// the form posts it as confirm, and a run whose count differs by
	// then asks again (digestConfirmed).
	Readers int
	// Error is said above the page: why it asks again.
	Error string
}

// A digestMail is one digest a run would make, as the send page shows it.
type digestMail struct {
	campaigns.DigestMail
	Who string // "To 3 readers of the daily digest."
	Of  string // "digest 1 of 2" when a run makes two, else ""
	// FirstDays is the page's, for the note on the articles left out.
	FirstDays int
}

// recentDigests is how many of the newest digests the digests page and
// the send page read.
const recentDigests = 100

// digestSendForm answers GET /admin/digests/{slug}/run: the page that asks
// before the list's digest is sent now.
func (s *Server) digestSendForm(w http.ResponseWriter, r *http.Request) {
	if s.Digests == nil {
		s.adminNotFound(w, r)
		return
	}
	p, err := s.digestSendPageOf(r, r.PathValue("slug"))
	if err != nil {
		s.adminFail(w, r, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_digest_preview", p)
}

// digestSendPageOf is the send page of the list slug as a run would be
// now.
func (s *Server) digestSendPageOf(r *http.Request, slug string) (*digestSendPage, error) {
	l, err := s.Subscribers.ListBySlug(r.Context(), slug)
	if err != nil {
		return nil, err
	}
	p := &digestSendPage{FirstDays: int(campaigns.FirstWindow.Hours() / 24)}
	if p.List, err = s.scheduleOf(r.Context(), l); err != nil {
		return nil, err
	}
	if p.Preview, err = s.Digests.PreviewDigest(r.Context(), slug); err != nil {
		return nil, err
	}
	p.Readers = digestReaders(p.Preview)
	// The page's times are in the list's zone, as its schedule and the
	// articles' dates are: since when a digest takes articles said in UTC
	// read as an hour off beside them.
	loc, err := loadZone(l.Timezone)
	if err != nil {
		loc = time.UTC
	}
	for _, m := range p.Preview.Mails {
		m.WindowStart, m.NewsSince = m.WindowStart.In(loc), m.NewsSince.In(loc)
		// The list's own digest may have no article when the other one
		// a run makes has some: that one alone goes.
		if len(m.Articles) > 0 || p.Preview.Nothing() {
			p.Mails = append(p.Mails, digestMail{DigestMail: m, Who: whoGets(m, p.Preview.Cadence), FirstDays: p.FirstDays})
		}
	}
	if n := len(p.Mails); n > 1 {
		for i := range p.Mails {
			p.Mails[i].Of = fmt.Sprintf("digest %d of %d", i+1, n)
		}
	}
	if s.Campaigns != nil {
		past, err := s.Campaigns.Recent(r.Context(), "digest", recentDigests)
		if err != nil {
			return nil, err
		}
		if p.Latest = latestOf(past, slug); p.Latest != nil {
			p.Latest.CreatedAt = p.Latest.CreatedAt.In(loc)
		}
		p.None = p.Latest == nil && len(past) < recentDigests
	}
	return p, nil
}

// digestReaders is how many readers a run as p would mail, over the
// digests it would send.
func digestReaders(p *campaigns.DigestPreview) int {
	n := 0
	for _, m := range p.Mails {
		if m.Sends() {
			n += m.Readers
		}
	}
	return n
}

// whoGets says whom of the list's readers m goes to; cadence is that of
// the list's own digest.
func whoGets(m campaigns.DigestMail, cadence string) string {
	if m.Readers == 0 {
		return "Nobody would get it: the list has no confirmed reader for this digest."
	}
	to := "To " + readers(m.Readers)
	switch m.For {
	case campaigns.ForDaily:
		if cadence == campaigns.CadenceDaily {
			return to + " of the daily digest."
		}
		// A list that left daily: its weekly readers get a digest of
		// their own, from their last round-up.
		return to + " who had the daily digest."
	case campaigns.ForWeekly:
		return to + " who chose weekly, with the articles since their last weekly round-up."
	case campaigns.ForChanging:
		if m.Cadence == campaigns.CadenceWeekly {
			return to + " who changed from weekly to daily, with the articles since their last round-up; the daily digest follows."
		}
		return to + " who changed from daily to weekly: a last daily digest before their round-ups."
	}
	return to + "."
}

// latestOf is the newest of the digests past (newest first) of the list
// slug, or nil.
func latestOf(past []campaigns.Entry, slug string) *campaigns.Entry {
	for i := range past {
		if slices.Contains(past[i].Lists, slug) {
			return &past[i]
		}
	}
	return nil
}
