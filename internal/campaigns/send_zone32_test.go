package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// zonesRead is the SendZone of campaign id as each read of the store
// gives it: Get, Entry, Recent and List.
func zonesRead(t *testing.T, e *env, id int64) []string {
	t.Helper()
	ctx := context.Background()
	got, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := e.svc.Entry(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{got.SendZone, entry.SendZone, "", ""}
	recent, err := e.svc.Recent(ctx, "campaign", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recent {
		if r.ID == id {
			out[2] = r.SendZone
		}
	}
	list, _, err := e.svc.List(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.ID == id {
			out[3] = c.SendZone
		}
	}
	return out
}

// The time zone an editor scheduled a campaign in is kept with its send
// time, and every read gives it back: the admin pages show the time in
// it, not in the zone of the campaign's lists. A patch that moves the
// time without naming a zone keeps it; one that names another changes
// it; a campaign made a draft again keeps none.
func TestSendZoneKeptWithTheSendTime(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 1, e.addList(t, "news"))
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	c := &campaigns.Campaign{Subject: "Hello", Body: "Hi", Lists: []string{"news"}, SendAt: &at, SendZone: " Asia/Tokyo "}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	all := func(z string) []string { return []string{z, z, z, z} }
	if diff := cmp.Diff(all("Asia/Tokyo"), zonesRead(t, e, c.ID)); diff != "" {
		t.Errorf("scheduled in Asia/Tokyo, the reads give (-want +got):\n%s", diff)
	}

	later := at.Add(time.Hour)
	if _, err := e.svc.Update(ctx, c.ID, campaigns.Patch{SendAt: campaigns.OptionalTime{Set: true, Time: &later}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all("Asia/Tokyo"), zonesRead(t, e, c.ID)); diff != "" {
		t.Errorf("moved without a zone, the reads give (-want +got):\n%s", diff)
	}
	if _, err := e.svc.Update(ctx, c.ID, campaigns.Patch{SendZone: ptr("America/New_York")}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all("America/New_York"), zonesRead(t, e, c.ID)); diff != "" {
		t.Errorf("given America/New_York, the reads give (-want +got):\n%s", diff)
	}
	got, err := e.svc.Update(ctx, c.ID, campaigns.Patch{SendAt: campaigns.OptionalTime{Set: true}})
	if err != nil || got.Status != campaigns.StatusDraft {
		t.Fatalf("unschedule by patch: %+v, %v", got, err)
	}
	if diff := cmp.Diff(all(""), zonesRead(t, e, c.ID)); diff != "" {
		t.Errorf("a draft again, the reads give (-want +got):\n%s", diff)
	}
}

// A zone that is not one, or one without a send time to be the zone of,
// is refused on the send_zone field, when created and when patched.
func TestSendZoneRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 1, e.addList(t, "news"))
	at := time.Now().Add(48 * time.Hour)
	draft := &campaigns.Campaign{Subject: "Draft", Body: "Hi", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, draft); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		zone   string
		sendAt *time.Time
	}{
		{"unknown zone", "Mars/Olympus_Mons", &at},
		{"lower case", "europe/paris", &at},
		{"the server's own", "Local", &at},
		{"a path", "../../etc/passwd", &at},
		{"no send time", "Europe/Paris", nil},
	} {
		c := &campaigns.Campaign{Subject: "Hello", Body: "Hi", Lists: []string{"news"}, SendAt: tc.sendAt, SendZone: tc.zone}
		if err := e.svc.Schedule(ctx, c); bulletin.ErrorCode(err) != bulletin.EINVALID || bulletin.ErrorFields(err)["send_zone"] == "" {
			t.Errorf("%s: create = %v, want a validation error on send_zone", tc.name, err)
		}
		p := campaigns.Patch{SendZone: ptr(tc.zone)}
		if tc.sendAt != nil {
			p.SendAt = campaigns.OptionalTime{Set: true, Time: tc.sendAt}
		}
		if _, err := e.svc.Update(ctx, draft.ID, p); bulletin.ErrorCode(err) != bulletin.EINVALID || bulletin.ErrorFields(err)["send_zone"] == "" {
			t.Errorf("%s: patch = %v, want a validation error on send_zone", tc.name, err)
		}
	}
}

// SendLocation is the zone the campaign was scheduled in; a campaign with
// none (one scheduled through the API without a zone, or before the zone
// was kept) is shown in the zone its lists share, as before.
func TestSendLocation(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ zone, want string }{
		{"Asia/Tokyo", "Asia/Tokyo"},
		{"", "Europe/London"},
	} {
		c := &campaigns.Campaign{SendZone: tc.zone}
		if got := c.SendLocation(london).String(); got != tc.want {
			t.Errorf("SendLocation of a campaign scheduled in %q, its lists in Europe/London = %s, want %s", tc.zone, got, tc.want)
		}
	}
}

// A scheduled campaign its start makes a draft again, since it would
// reach nobody, keeps no zone either: it has no send time.
func TestUnscheduledCampaignKeepsNoZone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.exec(t, `INSERT INTO lists (slug, name, public, created_at) VALUES ('quiet', 'Quiet', 1, ?)`, time.Now())
	at := time.Now().Add(time.Minute)
	c := &campaigns.Campaign{Subject: "Nobody reads this", Body: "Hello", Lists: []string{"quiet"}, SendAt: &at, SendZone: "Asia/Tokyo"}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	campaigns.SetClock(e.svc.Store, func() time.Time { return at })
	e.fanout(t) // the start task, at its send time
	got, err := e.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != campaigns.StatusDraft || got.SendAt != nil || got.SendZone != "" {
		t.Errorf("after its start: %s, send_at %v, zone %q; want a draft without a send time or zone", got.Status, got.SendAt, got.SendZone)
	}
}
