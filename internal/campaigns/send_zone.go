package campaigns

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
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

// withFixedZone is err, a validation error or nil, with a "send_zone"
// fault when c's send zone is a fixed offset (subscribers.FixedZoneProblem:
// "EST" is an hour off New York's clocks all summer) that the editor
// chose anew. A zone kept (the one the campaign has stored) or that a
// list has (the form fills in the lists' zone when its field is left
// empty, and a list saved with a fixed offset before they were refused
// keeps it) passes: the admin's list pages warn of it.
func withFixedZone(ctx context.Context, q sqlite.Querier, err error, c *Campaign, kept string) error {
	zone := strings.TrimSpace(c.SendZone)
	why := subscribers.FixedZoneProblem(zone)
	if why == "" || zone == kept || c.SendAt == nil {
		return err
	}
	fields := maps.Clone(bulletin.ErrorFields(err))
	if err != nil && fields == nil {
		return err // not a validation error
	}
	if fields["send_zone"] != "" {
		return err
	}
	var listed bool
	if qerr := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM lists WHERE timezone = ?)`, zone).Scan(&listed); qerr != nil {
		return fmt.Errorf("campaign send zone: %w", qerr)
	} else if listed {
		return err
	}
	if fields == nil {
		fields = map[string]string{}
	}
	fields["send_zone"] = why
	return bulletin.Invalid(fields)
}
