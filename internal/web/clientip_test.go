package web

import (
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	tests := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"direct client", "203.0.113.7:5123", nil, "203.0.113.7"},
		{"direct client's own header is ignored", "203.0.113.7:5123", []string{"198.51.100.1"}, "203.0.113.7"},
		{"private peer is not trusted", "10.0.0.2:5123", []string{"198.51.100.1"}, "10.0.0.2"},
		{"proxy on this host", "127.0.0.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"the proxy's entry, not the client's", "127.0.0.1:40000", []string{"192.0.2.66, 198.51.100.1"}, "198.51.100.1"},
		{"local proxies chained", "127.0.0.1:40000", []string{"198.51.100.1, 127.0.0.1"}, "198.51.100.1"},
		{"headers in order", "[::1]:40000", []string{"192.0.2.66", "2001:db8::1"}, "2001:db8::1"},
		{"mapped address", "127.0.0.1:40000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"garbage trusts nothing", "127.0.0.1:40000", []string{"192.0.2.66, unknown"}, "127.0.0.1"},
		{"local client without a proxy", "127.0.0.1:40000", nil, "127.0.0.1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.peer
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientIP(r); got != tt.want {
			t.Errorf("%s: clientIP %q, want %q", tt.name, got, tt.want)
		}
	}
}
