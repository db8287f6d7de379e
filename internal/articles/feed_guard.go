package articles

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// specialPurpose holds every entry of the IANA IPv4 and IPv6
// Special-Purpose Address Registries (RFC 6890 and its updates) that the
// checks in PublicAddr do not already cover, globally reachable or not: no
// feed lives on an anycast relay, a benchmarking net or a documentation
// prefix, and some of them carry an address of someone's own network
// inside. IPv6 outside 2000::/3 is refused as a whole, so only the entries
// inside it are here.
var specialPurpose = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments, DS-Lite, PCP, TURN, NAT64 discovery
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("192.31.196.0/24"), // AS112-v4
	netip.MustParsePrefix("192.52.193.0/24"), // AMT
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast
	netip.MustParsePrefix("192.175.48.0/24"), // direct delegation AS112
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255

	netip.MustParsePrefix("2001::/23"),         // IETF protocol assignments: Teredo, PCP and TURN anycast, benchmarking, AMT, AS112, ORCHID, DETs
	netip.MustParsePrefix("2001:db8::/32"),     // documentation
	netip.MustParsePrefix("2002::/16"),         // 6to4: its IPv4 inside may be anyone's, so the whole range
	netip.MustParsePrefix("2620:4f:8000::/48"), // direct delegation AS112
	netip.MustParsePrefix("3fff::/20"),         // documentation
}

// globalUnicast is the only IPv6 space IANA hands out for use on the
// Internet; the rest (IPv4-compatible ::/96, NAT64 64:ff9b::/96 and
// 64:ff9b:1::/48, discard 100::/64, SRv6 5f00::/16, site-local fec0::/10,
// unique-local, link-local, multicast) is never a public web server.
var globalUnicast = netip.MustParsePrefix("2000::/3")

// PublicAddr reports whether a feed may be fetched from ip: not loopback,
// private, link-local, unique-local, CGNAT, multicast, unspecified, nor in
// any special-purpose range of IANA's registries. An IPv4-mapped IPv6
// address (::ffff:a.b.c.d) is judged by its IPv4 address, which is where
// a connection to it goes: Go's resolver answers names from /etc/hosts in
// that form.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	if ip.Is6() && !globalUnicast.Contains(ip) {
		return false
	}
	for _, p := range specialPurpose {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// errPrivate is the refusal of an address that is not public. Its words
// say where the setting that allows one is: an admin who reads it in the
// feeds form has no other clue that it is an environment variable, read
// only when serve starts.
type errPrivate struct{ addr string }

func (e errPrivate) Error() string {
	return fmt.Sprintf("%s is a loopback, private or reserved address, and feeds must be on public addresses: to allow such feeds, "+
		"start bulletin serve with the environment variable BULLETIN_ALLOW_PRIVATE_FEEDS=1 (restart it after setting it)", e.addr)
}

// A guard decides which addresses a feed may be fetched from: any, when
// private feeds are allowed (BULLETIN_ALLOW_PRIVATE_FEEDS), else only
// public ones.
type guard struct{ allowPrivate bool }

// allow refuses ip unless it is public or private feeds are allowed.
func (g guard) allow(ip netip.Addr) error {
	if g.allowPrivate || PublicAddr(ip) {
		return nil
	}
	// An IPv4 address is named as one: Go's resolver answers names from
	// /etc/hosts as ::ffff:127.0.0.1, which no admin knows as loopback.
	return errPrivate{ip.Unmap().String()}
}

// control refuses, at connect time, any address allow refuses. It sees the
// address after DNS resolution, so a name that resolves to a public
// address when submitted and to a private one later (DNS rebinding) is
// refused all the same.
func (g guard) control(network, address string, c syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("feed dial: %w", err)
	}
	return g.allow(ap.Addr())
}

// A Resolver looks up the addresses of a host; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// checkHost refuses a host that is, or resolves to, an address allow
// refuses. Unless private feeds are allowed, an unresolvable host is
// refused too; when they are, a name is not looked up at all. A host
// written as a number in any other form than an IP address's usual one
// is refused first, looked up never, allowed or not (NumericHostProblem).
func (g guard) checkHost(ctx context.Context, r Resolver, host string) error {
	if msg := NumericHostProblem(host); msg != "" {
		return errors.New(msg)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := g.allow(ip); err != nil {
			return errPrivate{host}
		}
		return nil
	}
	if g.allowPrivate {
		return nil
	}
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return fmt.Errorf("%s cannot be resolved", host)
	}
	for _, ip := range ips {
		if err := g.allow(ip); err != nil {
			return errPrivate{host + " (" + ip.Unmap().String() + ")"}
		}
	}
	return nil
}

var _ Resolver = (*net.Resolver)(nil)
