package articles

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// specialRanges are the entries of the IANA IPv4 and IPv6 Special-Purpose
// Address Registries (RFC 6890 and the RFCs that updated them), whatever
// their "globally reachable" column says, and the other ranges that are
// never a public web server: multicast, and IPv6 outside 2000::/3.
var specialRanges = []struct{ prefix, name string }{
	// IPv4 Special-Purpose Address Registry.
	{"0.0.0.0/8", "this network"},
	{"0.0.0.0/32", "this host on this network"},
	{"10.0.0.0/8", "private use"},
	{"100.64.0.0/10", "shared address space"},
	{"127.0.0.0/8", "loopback"},
	{"169.254.0.0/16", "link local"},
	{"172.16.0.0/12", "private use"},
	{"192.0.0.0/24", "IETF protocol assignments"},
	{"192.0.0.0/29", "IPv4 service continuity prefix (DS-Lite)"},
	{"192.0.0.8/32", "IPv4 dummy address"},
	{"192.0.0.9/32", "Port Control Protocol anycast"},
	{"192.0.0.10/32", "TURN anycast"},
	{"192.0.0.170/32", "NAT64/DNS64 discovery"},
	{"192.0.0.171/32", "NAT64/DNS64 discovery"},
	{"192.0.2.0/24", "documentation (TEST-NET-1)"},
	{"192.31.196.0/24", "AS112-v4"},
	{"192.52.193.0/24", "AMT"},
	{"192.88.99.0/24", "deprecated 6to4 relay anycast"},
	{"192.88.99.2/32", "6a44 relay anycast"},
	{"192.168.0.0/16", "private use"},
	{"192.175.48.0/24", "direct delegation AS112 service"},
	{"198.18.0.0/15", "benchmarking"},
	{"198.51.100.0/24", "documentation (TEST-NET-2)"},
	{"203.0.113.0/24", "documentation (TEST-NET-3)"},
	{"240.0.0.0/4", "reserved"},
	{"255.255.255.255/32", "limited broadcast"},
	{"224.0.0.0/4", "multicast (not in the registry)"},

	// IPv6 Special-Purpose Address Registry.
	{"::1/128", "loopback"},
	{"::/128", "unspecified"},
	{"::ffff:0:0/96", "IPv4-mapped (judged by the IPv4 inside; these three are not public)"},
	{"64:ff9b::/96", "IPv4-IPv6 translation (NAT64)"},
	{"64:ff9b:1::/48", "local-use IPv4/IPv6 translation"},
	{"100::/64", "discard-only"},
	{"100:0:0:1::/64", "dummy IPv6 prefix"},
	{"2001::/23", "IETF protocol assignments"},
	{"2001::/32", "Teredo"},
	{"2001:1::1/128", "Port Control Protocol anycast"},
	{"2001:1::2/128", "TURN anycast"},
	{"2001:1::3/128", "DNS-SD service registration protocol anycast"},
	{"2001:2::/48", "benchmarking"},
	{"2001:3::/32", "AMT"},
	{"2001:4:112::/48", "AS112-v6"},
	{"2001:10::/28", "deprecated ORCHID"},
	{"2001:20::/28", "ORCHIDv2"},
	{"2001:30::/28", "drone remote ID entity tags"},
	{"2001:db8::/32", "documentation"},
	{"2002::/16", "6to4 (the whole range: the IPv4 inside may be private)"},
	{"2620:4f:8000::/48", "direct delegation AS112 service"},
	{"3fff::/20", "documentation"},
	{"5f00::/16", "SRv6 SIDs"},
	{"fc00::/7", "unique local"},
	{"fe80::/10", "link-local unicast"},
	// Not in the registry, and never a public server either.
	{"::/96", "IPv4-compatible (deprecated)"},
	{"::ffff:0:0:0/96", "IPv4-translated (SIIT)"},
	{"fec0::/10", "site-local (deprecated)"},
	{"ff00::/8", "multicast"},
	{"4000::/3", "unassigned, outside 2000::/3"},
}

// publicAddrs are ordinary global addresses, some next to a special range.
var publicAddrs = []string{
	"1.1.1.1", "8.8.8.8", "93.184.216.34", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
	"126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
	"192.0.1.0", "192.0.3.0", "192.88.98.255", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
	"203.0.112.255", "203.0.114.0", "223.255.255.255",
	"::ffff:1.1.1.1", // IPv4-mapped: a connection to it goes to 1.1.1.1
	"2606:4700::1111", "2606:4700:4700::1111", "2001:4860:4860::8888", "2001:200::1", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
	"2001:db9::", "2003::", "2001:200::", "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", "2620:4f:8001::", "3ffe:ffff::1",
	"3fff:1000::", "2000::1",
}

// lastAddr is the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// inside is an address in p that is neither its first nor (when p holds
// more than two) its last: the first with every bit after the prefix's
// set, but for its last bit.
func inside(p netip.Prefix) netip.Addr {
	if p.Addr().BitLen()-p.Bits() < 2 {
		return p.Masked().Addr()
	}
	return lastAddr(p).Prev()
}

// hostPort writes ip as the host of a URL or a dial address.
func hostPort(ip netip.Addr) string { return netip.AddrPortFrom(ip, 443).String() }

// TestSpecialPurposeRangesRefused checks the first, last and an inner
// address of every special range against each of the feed guard's
// decisions: PublicAddr, the URL check when a feed is added, and the dial
// check. It only decides; nothing is dialled or looked up.
func TestSpecialPurposeRangesRefused(t *testing.T) {
	ctx := context.Background()
	refuse, allow := &Feeds{}, &Feeds{allowPrivate: true}
	for _, r := range specialRanges {
		p := netip.MustParsePrefix(r.prefix)
		addrs := []netip.Addr{p.Masked().Addr(), inside(p), lastAddr(p)}
		if r.prefix == "::ffff:0:0/96" {
			addrs[1] = netip.MustParseAddr("::ffff:192.168.1.1") // its middle, ::ffff:127.255.255.254, is loopback anyway
		}
		for _, ip := range addrs {
			if !p.Contains(ip) {
				t.Fatalf("%s: test address %s is not in it", r.prefix, ip)
			}
			url := "http://" + strings.TrimSuffix(hostPort(ip), ":443") + "/feed.xml"
			if PublicAddr(ip) {
				t.Errorf("%s (%s, %s): PublicAddr true", ip, r.prefix, r.name)
			}
			_, _, err := refuse.checkURL(ctx, url)
			if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(bulletin.ErrorFields(err)["url"], "BULLETIN_ALLOW_PRIVATE_FEEDS=1") {
				t.Errorf("%s (%s, %s): adding %s = %v, want a validation error naming BULLETIN_ALLOW_PRIVATE_FEEDS", ip, r.prefix, r.name, url, err)
			}
			if err := (guard{}).control("tcp", hostPort(ip), nil); err == nil {
				t.Errorf("%s (%s, %s): dial allowed", ip, r.prefix, r.name)
			}
			if _, _, err := allow.checkURL(ctx, url); err != nil {
				t.Errorf("%s (%s): adding %s with private feeds allowed: %v", ip, r.prefix, url, err)
			}
			if err := (guard{allowPrivate: true}).control("tcp", hostPort(ip), nil); err != nil {
				t.Errorf("%s (%s): dial with private feeds allowed: %v", ip, r.prefix, err)
			}
		}
	}
	for _, s := range publicAddrs {
		ip := netip.MustParseAddr(s)
		url := "http://" + strings.TrimSuffix(hostPort(ip), ":443") + "/feed.xml"
		if !PublicAddr(ip) {
			t.Errorf("%s: PublicAddr false, want a public address", s)
		}
		if _, _, err := refuse.checkURL(ctx, url); err != nil {
			t.Errorf("adding %s: %v", url, err)
		}
		if err := (guard{}).control("tcp", hostPort(ip), nil); err != nil {
			t.Errorf("dial %s: %v", s, err)
		}
	}
}
