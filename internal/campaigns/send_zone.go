package campaigns

import (
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// checkSendZone says what is wrong with zone, the time zone of a send
// time, or "". Without a send time it has nothing to be the zone of: a
// draft keeps none. "Local" is refused, as for a list: it is whatever the
// server's clock says, which moves with the machine the data folder is
// restored on.
func checkSendZone(zone string, scheduled bool) string {
	switch {
	case zone == "":
		return ""
	case !scheduled:
		return "give a send_at for it to be the time zone of, or leave it out"
	case zone == "Local":
		return `name the zone, e.g. "Europe/Paris" or "UTC", not "Local"`
	}
	if _, err := time.LoadLocation(zone); err != nil || len(zone) > 64 {
		return subscribers.ZoneProblem(zone)
	}
	return ""
}

// SendZoneProblem says what is wrong with zone as the time zone of a
// send time, or "": for an answer that names it beside a send time it
// refused, which leaves the zone nothing to be the zone of.
func SendZoneProblem(zone string) string {
	return checkSendZone(strings.TrimSpace(zone), true)
}

// SendLocation is the time zone c's send time is shown in: the one its
// editor chose it in (SendZone) or, for a campaign scheduled without one
// (through the API, or before the zone was kept), lists, the zone its
// lists share. The instant is the same in any zone; the zone is how its
// editor thinks of it, which the zone of the lists need not be.
func (c *Campaign) SendLocation(lists *time.Location) *time.Location {
	if c.SendZone != "" {
		if loc, err := time.LoadLocation(c.SendZone); err == nil {
			return loc
		}
	}
	return lists
}
