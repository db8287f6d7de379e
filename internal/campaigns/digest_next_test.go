package campaigns_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// TestNextDigest checks the next slot after now in the list's own zone,
// including across the Europe/Paris DST changes (2026-03-29: 02:00 CET →
// 03:00 CEST; 2026-10-25: 03:00 CEST → 02:00 CET), where a 07:00 or 08:00
// digest stays at that local hour and so moves by an hour in UTC.
func TestNextDigest(t *testing.T) {
	tests := []struct {
		name    string
		cadence string
		hour    int
		weekday string
		zone    string
		now     string
		want    string // RFC 3339 in the list's zone
	}{
		{"daily, before the hour", "daily", 8, "", "Europe/Paris", "2026-03-28T06:30:00Z", "2026-03-28T08:00:00+01:00"},
		{"daily, at the hour is past", "daily", 8, "", "Europe/Paris", "2026-03-28T07:00:00Z", "2026-03-29T08:00:00+02:00"},
		{"daily, across spring DST", "daily", 8, "", "Europe/Paris", "2026-03-28T09:00:00Z", "2026-03-29T08:00:00+02:00"},
		{"daily, across autumn DST", "daily", 8, "", "Europe/Paris", "2026-10-24T12:00:00Z", "2026-10-25T08:00:00+01:00"},
		{"daily, the skipped hour", "daily", 2, "", "Europe/Paris", "2026-03-28T12:00:00Z", "2026-03-29T03:00:00+02:00"},
		{"weekly Saturday 07:00, from Monday", "weekly", 7, "saturday", "Europe/Paris", "2026-03-23T10:00:00Z", "2026-03-28T07:00:00+01:00"},
		{"weekly Saturday 07:00, just after it, across DST", "weekly", 7, "saturday", "Europe/Paris", "2026-03-28T06:00:01Z", "2026-04-04T07:00:00+02:00"},
		{"weekly Saturday 07:00, same day before it", "weekly", 7, "saturday", "Europe/Paris", "2026-10-31T05:00:00Z", "2026-10-31T07:00:00+01:00"},
		{"weekly, no weekday is Monday", "weekly", 9, "", "UTC", "2026-03-25T00:00:00Z", "2026-03-30T09:00:00Z"},
		{"weekly, zone ahead of UTC crosses the date", "weekly", 6, "monday", "Pacific/Auckland", "2026-03-29T16:00:00Z", "2026-03-30T06:00:00+13:00"},
		{"unknown zone counts as UTC", "daily", 8, "", "Mars/Olympus", "2026-03-28T09:00:00Z", "2026-03-29T08:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			got := campaigns.NextDigest(now, tc.cadence, tc.hour, tc.weekday, tc.zone)
			if diff := cmp.Diff(tc.want, got.Format(time.RFC3339)); diff != "" {
				t.Errorf("NextDigest(%s) (-want +got):\n%s", tc.now, diff)
			}
		})
	}
}
