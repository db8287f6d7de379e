package main

import (
	"strings"
	"testing"
	"time"
)

func TestConfigDeliveryRetention(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		env, flag string
		want      time.Duration
		wantErr   string
	}{
		{"", "", 90 * day, ""},
		{"30d", "", 30 * day, ""},
		{"forever", "", 0, ""},
		{"0", "", 0, ""},
		{"30d", "--delivery-retention=2160h", 90 * day, ""},
		{"3d", "", 0, `BULLETIN_DELIVERY_RETENTION "3d": keep deliveries at least 7 days`},
		{"90 days", "", 0, `BULLETIN_DELIVERY_RETENTION "90 days": use a number of days like 90d`},
	} {
		var args []string
		if tc.flag != "" {
			args = append(args, tc.flag)
		}
		got, err := parseConfig(map[string]string{"BULLETIN_DELIVERY_RETENTION": tc.env}, args...)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q %q: %v", tc.env, tc.flag, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %v, want one starting %q", tc.env, err, tc.wantErr)
		case got.DeliveryRetention != tc.want:
			t.Errorf("%q %q: retention %v, want %v", tc.env, tc.flag, got.DeliveryRetention, tc.want)
		}
	}
}

// serve runs the fold in the background, counted on /metrics, unless the
// retention is forever; either way it stops with serve.
func TestServeRunsTheFoldUnlessForever(t *testing.T) {
	for _, tc := range []struct {
		retention string
		metric    bool
	}{{"", true}, {"forever", false}} {
		m, _, stderr := testMain(t, map[string]string{"BULLETIN_DELIVERY_RETENTION": tc.retention})
		base, stop := startServe(t, m)
		_, body := get(t, base+"/metrics")
		if got := strings.Contains(body, "bulletin_deliveries_folded_total 0"); got != tc.metric {
			t.Errorf("retention %q: /metrics has bulletin_deliveries_folded_total: %v, want %v", tc.retention, got, tc.metric)
		}
		if code := stop(); code != 0 {
			t.Errorf("serve exited %d, want 0; stderr:\n%s", code, stderr)
		}
	}
}
