package web

import (
	"testing"
	"time"
)

// TestLimiterCountsIPv6By64 checks that one host's /64 is one client: a
// host that holds a /64 must not get a new bucket per address.
func TestLimiterCountsIPv6By64(t *testing.T) {
	tests := []struct {
		name, first, second string
		shared              bool
	}{
		{"same address", "2001:db8:1:2::1", "2001:db8:1:2::1", true},
		{"same /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe", true},
		{"same /64, other spelling", "2001:db8:1:2::1", "2001:0db8:0001:0002:0:0:0:9", true},
		{"neighbouring /64", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"same /48, other /64", "2001:db8:1:2::1", "2001:db8:1:ff02::1", false},
		{"IPv4 addresses apart", "198.51.100.1", "198.51.100.2", false},
		{"IPv4 and its mapped form", "198.51.100.1", "::ffff:198.51.100.1", true},
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newIPLimiter(1)
			if ok, _ := l.allow(tt.first, now); !ok {
				t.Fatal("the first event was refused")
			}
			ok, wait := l.allow(tt.second, now)
			if ok == tt.shared {
				t.Errorf("second event allowed = %v, want %v (shared bucket: %v)", ok, !tt.shared, tt.shared)
			}
			if !ok && (wait < 59*time.Second || wait > time.Minute) {
				t.Errorf("wait %v, want about a minute at one event a minute", wait)
			}
		})
	}
}
