package articles

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPublicAddr(t *testing.T) {
	tests := map[string]bool{
		"93.184.216.34":        true,
		"8.8.8.8":              true,
		"2606:4700:4700::1111": true,
		"127.0.0.1":            false,
		"127.8.9.10":           false,
		"::1":                  false,
		"10.1.2.3":             false,
		"172.16.0.1":           false,
		"172.31.255.255":       false,
		"192.168.1.1":          false,
		"169.254.169.254":      false, // cloud metadata
		"fe80::1":              false,
		"fc00::1":              false,
		"fd12:3456::1":         false,
		"100.64.0.1":           false, // CGNAT
		"100.127.255.254":      false,
		"224.0.0.1":            false,
		"ff02::1":              false,
		"0.0.0.0":              false,
		"::":                   false,
		"0.1.2.3":              false,
		"255.255.255.255":      false,
		"::ffff:127.0.0.1":     false, // IPv4-mapped loopback
		"::ffff:10.0.0.1":      false,
		"64:ff9b::a00:1":       false, // NAT64 of 10.0.0.1
		"2002:a00:1::1":        false, // 6to4 of 10.0.0.1
		"198.18.0.1":           false,
		"172.32.0.1":           true,
		"100.128.0.1":          true,
		"::ffff:93.184.216.34": true,
		"2001:4860:4860::8888": true,
		"192.0.0.8":            false,
		"240.0.0.1":            false,
		"fec0::1":              false, // deprecated site-local
		"2001:db8::1":          false, // documentation
		"203.0.113.5":          false, // documentation
		"2001:4860::1":         true,
		"11.0.0.1":             true,
		"192.169.0.1":          true,
		"169.253.255.255":      true,
		"126.255.255.255":      true,
		"128.0.0.1":            true,
		"9.255.255.255":        true,
		"[not an address]":     false,
		"100.63.255.255":       true,
		"fbff:ffff::1":         false, // outside 2000::/3
		"fe00::1":              false,
		"febf:ffff::1":         false,
	}
	got := map[string]bool{}
	for s := range tests {
		ip, _ := netip.ParseAddr(s)
		got[s] = PublicAddr(ip)
	}
	if diff := cmp.Diff(tests, got); diff != "" {
		t.Errorf("PublicAddr (-want +got):\n%s", diff)
	}
}

func TestDialControl(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:80", false},
		{"[::1]:443", false},
		{"10.0.0.5:8080", false},
		{"169.254.169.254:80", false},
		{"[::ffff:192.168.0.1]:80", false},
		{"93.184.216.34:443", true},
		{"[2606:4700:4700::1111]:443", true},
	}
	for _, tt := range tests {
		// Control only looks at the address; nothing is dialled.
		err := guard{}.control("tcp", tt.addr, nil)
		if (err == nil) != tt.ok {
			t.Errorf("control(%s) = %v, want allowed %v", tt.addr, err, tt.ok)
		}
	}
}

// fakeResolver answers from a table and never touches the network.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	addrs, ok := f[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestCheckHost(t *testing.T) {
	r := fakeResolver{
		"news.example":     {"93.184.216.34"},
		"intranet.example": {"10.0.0.7"},
		"mixed.example":    {"93.184.216.34", "127.0.0.1"},
		"v6.example":       {"2606:4700:4700::1111"},
	}
	tests := map[string]bool{
		"news.example":     true,
		"v6.example":       true,
		"intranet.example": false,
		"mixed.example":    false, // any private answer refuses
		"gone.example":     false,
		"127.0.0.1":        false,
		"::1":              false,
		"93.184.216.34":    true,
	}
	got := map[string]bool{}
	for host := range tests {
		got[host] = guard{}.checkHost(context.Background(), r, host) == nil
	}
	if diff := cmp.Diff(tests, got); diff != "" {
		t.Errorf("checkHost (-want +got):\n%s", diff)
	}
	// With private feeds allowed, names are taken as they are, unresolved.
	for host := range tests {
		if err := (guard{allowPrivate: true}).checkHost(context.Background(), r, host); err != nil {
			t.Errorf("checkHost(%s) with private feeds allowed: %v", host, err)
		}
	}
}
