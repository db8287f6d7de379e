package campaigns_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

func TestParseRetention(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		in      string
		want    time.Duration
		wantErr string // part of the error; "" for none
	}{
		{"", 90 * day, ""},
		{"90d", 90 * day, ""},
		{" 365D ", 365 * day, ""},
		{"2160h", 90 * day, ""},
		{"7d", 7 * day, ""},
		{"0", 0, ""},
		{"forever", 0, ""},
		{"Forever", 0, ""},
		{"6d", 0, "at least 7 days"},
		{"1h", 0, "at least 7 days"},
		{"0d", 0, "at least 7 days"}, // keeps nothing: not 0's forever
		{"0h", 0, "at least 7 days"},
		{"nand", 0, "like 90d"},
		{"-5d", 0, "like 90d"},
		{"ninety days", 0, "like 90d"},
		{"90", 0, "like 90d"},
		{"36501d", 0, "like 90d"},
		{"1000000h", 0, "at most 36500d"},
	} {
		got, err := campaigns.ParseRetention(tc.in)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ParseRetention(%q): %v", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ParseRetention(%q) error = %v, want one saying %q", tc.in, err, tc.wantErr)
		case got != tc.want:
			t.Errorf("ParseRetention(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
