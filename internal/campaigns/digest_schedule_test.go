package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// TestDueDigestsInTheListsTimeZone checks that each list's digest falls at
// its own hour, weekday and time zone, and stays at that local hour across
// the Europe/Paris DST changes (2026-03-29: 02:00 CET → 03:00 CEST;
// 2026-10-25: 03:00 CEST → 02:00 CET). Paris is UTC+1 in winter and UTC+2
// in summer, so 08:00 local is 07:00Z or 06:00Z.
func TestDueDigestsInTheListsTimeZone(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type list struct {
		digest, weekday, tz string
		hour                int
	}
	daily8 := list{"daily", "monday", "Europe/Paris", 8}
	sat7 := list{"weekly", "saturday", "Europe/Paris", 7}
	tests := []struct {
		name   string
		list   list
		now    string
		daily  string // the daily slot, "" for a weekly list
		weekly string // the weekly slot (a daily list's round-up)
	}{
		{"daily, winter, after the hour", daily8, "2026-03-28T07:30:00Z", "2026-03-28T07:00:00Z", "2026-03-23T07:00:00Z"},
		{"daily, the spring change, after the hour", daily8, "2026-03-29T06:30:00Z", "2026-03-29T06:00:00Z", "2026-03-23T07:00:00Z"},
		{"daily, the spring change, before the hour", daily8, "2026-03-29T05:30:00Z", "2026-03-28T07:00:00Z", "2026-03-23T07:00:00Z"},
		{"daily, the day after the spring change", daily8, "2026-03-30T06:00:00Z", "2026-03-30T06:00:00Z", "2026-03-30T06:00:00Z"},
		{"daily, summer, the day before the autumn change", daily8, "2026-10-24T06:30:00Z", "2026-10-24T06:00:00Z", "2026-10-19T06:00:00Z"},
		{"daily, the autumn change, an hour before 08:00 CET", daily8, "2026-10-25T06:30:00Z", "2026-10-24T06:00:00Z", "2026-10-19T06:00:00Z"},
		{"daily, the autumn change, after the hour", daily8, "2026-10-25T07:30:00Z", "2026-10-25T07:00:00Z", "2026-10-19T06:00:00Z"},
		{"daily, the round-up on its own weekday", list{"daily", "friday", "Europe/Paris", 8}, "2026-03-29T06:30:00Z", "2026-03-29T06:00:00Z", "2026-03-27T07:00:00Z"},
		{"weekly saturday 07:00, winter, on the day", sat7, "2026-03-28T06:30:00Z", "", "2026-03-28T06:00:00Z"},
		{"weekly saturday 07:00, winter, before the hour", sat7, "2026-03-28T05:30:00Z", "", "2026-03-21T06:00:00Z"},
		{"weekly saturday 07:00, the friday after the spring change", sat7, "2026-04-03T12:00:00Z", "", "2026-03-28T06:00:00Z"},
		{"weekly saturday 07:00, first summer saturday", sat7, "2026-04-04T05:30:00Z", "", "2026-04-04T05:00:00Z"},
		{"weekly saturday 07:00, last summer saturday", sat7, "2026-10-24T05:00:00Z", "", "2026-10-24T05:00:00Z"},
		{"weekly saturday 07:00, the sunday of the autumn change", sat7, "2026-10-25T12:00:00Z", "", "2026-10-24T05:00:00Z"},
		{"weekly saturday 07:00, first winter saturday", sat7, "2026-10-31T06:30:00Z", "", "2026-10-31T06:00:00Z"},
		{"weekly, another zone: 23:00 in Tokyo is 14:00Z", list{"weekly", "sunday", "Asia/Tokyo", 23}, "2026-03-29T14:00:00Z", "", "2026-03-29T14:00:00Z"},
		{"weekly, the defaults keep monday UTC", list{"weekly", "monday", "UTC", 8}, "2026-03-29T06:30:00Z", "", "2026-03-23T08:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t)
			e.list(t, "news", tt.list.digest, true)
			e.exec(t, `UPDATE lists SET digest_hour = ?, digest_weekday = ?, timezone = ?, created_at = ?`,
				tt.list.hour, tt.list.weekday, tt.list.tz, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
			got, err := e.svc.DueDigests(context.Background(), utc(tt.now))
			if err != nil {
				t.Fatal(err)
			}
			var want []queue.DigestBuildPayload
			if tt.daily != "" {
				want = append(want, queue.DigestBuildPayload{List: "news", Cadence: "daily", Slot: utc(tt.daily)})
			}
			want = append(want, queue.DigestBuildPayload{List: "news", Cadence: "weekly", Slot: utc(tt.weekly)})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("due at %s (-want +got):\n%s", tt.now, diff)
			}
		})
	}
}

// TestDueDigestsAfterTheSlotWasBuilt checks that a digest built at 08:00
// Paris time is not due again an hour later, when the clock went back.
func TestDueDigestsAfterTheSlotWasBuilt(t *testing.T) {
	e := newDigestEnv(t)
	id := e.list(t, "news", "weekly", true)
	e.exec(t, `UPDATE lists SET digest_hour = 7, digest_weekday = 'saturday', timezone = 'Europe/Paris'`)
	built := time.Date(2026, 10, 24, 5, 0, 1, 0, time.UTC) // Saturday 07:00:01 CEST
	e.exec(t, `INSERT INTO digest_marks (list_id, last_digest_at, last_slot) VALUES (?, ?, ?)`, id, built, built.Truncate(time.Hour))
	for _, now := range []time.Time{built.Add(time.Hour), built.Add(25 * time.Hour), built.Add(6 * 24 * time.Hour)} {
		if got, err := e.svc.DueDigests(context.Background(), now); err != nil || len(got) != 0 {
			t.Errorf("due at %s = %+v, %v; want nothing until next Saturday", now, got, err)
		}
	}
	next := time.Date(2026, 10, 31, 6, 0, 0, 0, time.UTC) // Saturday 07:00 CET
	got, err := e.svc.DueDigests(context.Background(), next)
	if err != nil || len(got) != 1 || !got[0].Slot.Equal(next) {
		t.Errorf("due at %s = %+v, %v; want the slot of that Saturday", next, got, err)
	}
}
