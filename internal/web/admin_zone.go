package web

import (
	"context"
	"time"
)

// The admin pages say every time with its zone. A time that belongs to a
// list is said in that list's zone: an article's publish time (its lists',
// articleZone), a digest's, a campaign's send time (the zone it was
// scheduled in, else its lists'). Every other time (an event, a mail in
// the outbox, a reader's confirmation, a token's last use) is said in the
// publication's zone, publicationZone. Stored times stay UTC; the API says
// them in RFC 3339.

// publicationZone is the zone every list shares, the publication's own
// in all but name; UTC while the lists are in several zones, or there is
// none.
func (s *Server) publicationZone(ctx context.Context) *time.Location {
	lists, err := s.listIndex(ctx)
	if err != nil {
		return time.UTC
	}
	all := make([]string, 0, len(lists))
	for slug := range lists {
		all = append(all, slug)
	}
	return lists.zone(all)
}

// setZone sets the zone the page says its times in (When, Date).
func (p *adminPage) setZone(loc *time.Location) { p.zone = loc }

// When is t in the page's zone with its time of day, the zone named:
// "3 December 2026, 10:00 Europe/Paris", "…, 10:00 UTC".
func (p *adminPage) When(t time.Time) string { return zoned(t, p.zone) }

// WhenSeconds is When to the second: "3 December 2026, 10:00:07 UTC".
func (p *adminPage) WhenSeconds(t time.Time) string {
	if p.zone == nil || p.zone.String() == "UTC" {
		return t.UTC().Format("2 January 2006, 15:04:05 UTC")
	}
	return t.In(p.zone).Format("2 January 2006, 15:04:05 ") + p.zone.String()
}

// Clock is t's time of day in the page's zone, named: "10:00 UTC".
func (p *adminPage) Clock(t time.Time) string {
	if p.zone == nil {
		return t.UTC().Format("15:04 UTC")
	}
	return t.In(p.zone).Format("15:04 ") + p.zone.String()
}

// Date is t's date in the page's zone: "3 December 2026".
func (p *adminPage) Date(t time.Time) string {
	if p.zone == nil {
		return day(t)
	}
	return t.In(p.zone).Format("2 January 2006")
}

// Zone names the zone the page says its times in: "Europe/Paris", "UTC".
func (p *adminPage) Zone() string {
	if p.zone == nil {
		return "UTC"
	}
	return p.zone.String()
}
