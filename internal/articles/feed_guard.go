package articles

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// notPublic are ranges that IsPrivate, IsLoopback and their kin miss but
// that must never be fetched: shared address space (CGNAT), "this network",
// IETF protocol assignments, benchmarking, reserved, broadcast, and the
// IPv6 translation prefixes that can carry an IPv4 address inside.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
}

// PublicAddr reports whether a feed may be fetched from ip: not loopback,
// private, link-local, unique-local, CGNAT, multicast, unspecified or
// otherwise reserved.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// errPrivate is the refusal of an address that is not public.
type errPrivate struct{ addr string }

func (e errPrivate) Error() string {
	return fmt.Sprintf("%s is a loopback, private or reserved address", e.addr)
}

// dialControl refuses, at connect time, any address that is not public. It
// sees the address after DNS resolution, so a name that resolves to a
// public address when submitted and to a private one later (DNS
// rebinding) is refused all the same.
func dialControl(network, address string, c syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("feed dial: %w", err)
	}
	if !PublicAddr(ap.Addr()) {
		return errPrivate{ap.Addr().String()}
	}
	return nil
}

// A Resolver looks up the addresses of a host; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// checkHost refuses a host that is, or resolves to, an address that is not
// public. An unresolvable host is refused too.
func checkHost(ctx context.Context, r Resolver, host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		if !PublicAddr(ip) {
			return errPrivate{host}
		}
		return nil
	}
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return fmt.Errorf("%s cannot be resolved", host)
	}
	for _, ip := range ips {
		if !PublicAddr(ip) {
			return errPrivate{host + " (" + ip.String() + ")"}
		}
	}
	return nil
}

var _ Resolver = (*net.Resolver)(nil)
